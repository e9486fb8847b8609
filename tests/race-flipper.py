# The hostile instance of tests/t-race.sh, run inside the sandbox: until
# STOP exists, swaps what the next launch checks and mounts in the
# private home it shares with that launch. Mostly the home is as boxwrap's
# checks want it (a real ~/.config holding a regular kdeglobals, a real
# ~/Downloads); for a millisecond or two at random, one of them is a
# symlink through /oldroot, where bwrap's set-up sees the host: the mount
# point to a victim in the real home or to ~/.bash_login, the grant's
# parent (renamed away) to the real home, Downloads to the victim
# (attacks 0 to 3), and the mount point between a dangling symlink and
# one to the victim (4).
import os, random, sys, time
home, stop = os.environ["HOME"], sys.argv[1]
host = "/oldroot" + home
cfg, old, dl = home + "/.config", home + "/.config.old", home + "/Downloads"
kde = cfg + "/kdeglobals"


def quietly(f, *a):
    try:
        f(*a)
    except OSError:
        pass


def rm(p):
    quietly(os.unlink, p)
    quietly(os.rmdir, p)


def good():
    if os.path.islink(cfg):
        rm(cfg)
    quietly(os.mkdir, cfg)
    if not os.path.isfile(kde) or os.path.islink(kde):
        rm(kde)
        quietly(lambda: open(kde, "w").close())
    if os.path.islink(dl):
        rm(dl)
    quietly(os.mkdir, dl)


def swap(path, target):
    tmp = path + ".new"
    rm(tmp)
    quietly(os.symlink, target, tmp)
    quietly(os.rename, tmp, path)  # atomic: never absent


attacks = [
    lambda: swap(kde, host + "/victim"),
    lambda: swap(kde, host + "/.bash_login"),
    lambda: (quietly(os.rename, cfg, old), quietly(os.symlink, host, cfg)),
    lambda: (rm(dl), quietly(os.symlink, host + "/victim", dl)),
    # bwrap 0.8 creates a file mount point when stat() finds none: a
    # dangling link then, the victim at creat(O_TRUNC) truncates it.
    lambda: [swap(kde, target) for _ in range(20) for target in (host + "/no-such-dir/f", host + "/victim")],
]
# Optional: which attacks, by number (tests/t-race.sh RACE_ATTACKS).
if len(sys.argv) > 2 and sys.argv[2]:
    attacks = [attacks[int(i)] for i in sys.argv[2].split(",")]
n = 0
while not os.path.exists(stop):
    n += 1
    good()
    time.sleep(random.uniform(0, 0.004))
    random.choice(attacks)()
    time.sleep(random.uniform(0, 0.002))
    if os.path.islink(cfg):
        rm(cfg)
        quietly(os.rename, old, cfg)
print(n, "rounds", flush=True)
