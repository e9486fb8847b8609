#!/usr/bin/python3
# Tiny D-Bus client for the portal tests (run inside and outside sandboxes).
# Needs /usr/bin/python3 with python3-gi (Debian: python3-gi, gir1.2-glib-2.0).
#
# Usage: portal-helper.py CMD [ARGS...]
#   add PATH               Documents.Add(fd of PATH, reuse=True, persistent=True) -> doc id
#   addfull PATH APPID PERM[,PERM..]
#                          Documents.AddFull([fd], REUSE|PERSISTENT, APPID, PERMS) -> doc id
#   list APPID             Documents.List(APPID) -> doc ids, one per line
#   info DOCID             Documents.Info(DOCID) -> "path=..." then "app=ID perm,perm"
#   save-add PATH TEXT     write TEXT to PATH, then Documents.Add its fd -> doc id
#   openfile PATH          OpenURI.OpenFile(fd of PATH) -> "response=N" once the
#                          request answers, or "pending" if it has not in 5 s
#   lookup PATH            Documents.Lookup(PATH) -> doc id ("" if none)
#   mountpoint             Documents.GetMountPoint() -> path
#   netmon                 NetworkMonitor.GetAvailable() -> true/false
#   gamemode               GameMode.QueryStatus(own pid, as seen by the caller) -> int
#   cat PATH               print the file's contents (plain file read, no D-Bus)
#   exists PATH            exit 0 if PATH exists, 1 if not
#
# Exit status: 0 success; 2 the D-Bus call failed (prints "DBUSERROR <name>: <msg>"
# on stdout); 1 anything else.
import os
import sys

import gi

gi.require_version("Gio", "2.0")
from gi.repository import Gio, GLib  # noqa: E402

DOC_BUS = "org.freedesktop.portal.Documents"
DOC_PATH = "/org/freedesktop/portal/documents"
DOC_IFACE = "org.freedesktop.portal.Documents"
XDP_BUS = "org.freedesktop.portal.Desktop"
XDP_PATH = "/org/freedesktop/portal/desktop"
TIMEOUT_MS = 10000


def bus():
    return Gio.bus_get_sync(Gio.BusType.SESSION, None)


def call(dest, path, iface, method, params, reply, fds=None):
    conn = bus()
    fdlist = None
    if fds:
        fdlist = Gio.UnixFDList.new()
        for fd in fds:
            fdlist.append(fd)
    res, _out = conn.call_with_unix_fd_list_sync(
        dest, path, iface, method, params, GLib.VariantType.new(reply),
        Gio.DBusCallFlags.NO_AUTO_START, TIMEOUT_MS, fdlist, None)
    return res.unpack()


def doc(method, params, reply, fds=None):
    return call(DOC_BUS, DOC_PATH, DOC_IFACE, method, params, reply, fds)


def bytestr(path):
    # D-Bus 'ay' file names are NUL terminated
    return GLib.Variant("ay", os.fsencode(path) + b"\0")


def open_file(path):
    # The request answers with Response on its handle; the "Invalid fd"
    # check comes first, as a D-Bus error (raised) or response 2.
    conn = bus()
    token = "boxwrap%d" % os.getpid()
    sender = conn.get_unique_name()[1:].replace(".", "_")
    handle = "/org/freedesktop/portal/desktop/request/%s/%s" % (sender, token)
    loop = GLib.MainLoop()
    got = []

    def on_response(_c, _s, _p, _i, _sig, params):
        got.append(params.unpack()[0])
        loop.quit()
    conn.signal_subscribe(XDP_BUS, "org.freedesktop.portal.Request", "Response", handle,
                          None, Gio.DBusSignalFlags.NO_MATCH_RULE, on_response)
    conn.call_sync("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                   "AddMatch", GLib.Variant("(s)", ("type='signal',path='%s'" % handle,)),
                   None, Gio.DBusCallFlags.NONE, TIMEOUT_MS, None)
    fd = os.open(path, os.O_RDONLY | os.O_CLOEXEC)
    opts = {"handle_token": GLib.Variant("s", token), "ask": GLib.Variant("b", True)}
    call(XDP_BUS, XDP_PATH, "org.freedesktop.portal.OpenURI", "OpenFile",
         GLib.Variant("(sha{sv})", ("", 0, opts)), "(o)", [fd])
    GLib.timeout_add(5000, loop.quit)
    loop.run()
    return "response=%d" % got[0] if got else "pending"


def main(argv):
    cmd, args = argv[1], argv[2:]
    if cmd == "add":
        fd = os.open(args[0], os.O_RDONLY | os.O_CLOEXEC)
        (docid,) = doc("Add", GLib.Variant("(hbb)", (0, True, True)), "(s)", [fd])
        print(docid)
    elif cmd == "save-add":
        with open(args[0], "w") as f:
            f.write(args[1])
        fd = os.open(args[0], os.O_RDONLY | os.O_CLOEXEC)
        (docid,) = doc("Add", GLib.Variant("(hbb)", (0, True, True)), "(s)", [fd])
        print(docid)
    elif cmd == "openfile":
        print(open_file(args[0]))
    elif cmd == "addfull":
        fd = os.open(args[0], os.O_RDONLY | os.O_CLOEXEC)
        perms = args[2].split(",")
        flags = 1 | 2  # REUSE_EXISTING | PERSISTENT
        ids, _extra = doc("AddFull", GLib.Variant("(ahusas)", ([0], flags, args[1], perms)),
                          "(asa{sv})", [fd])
        print(ids[0])
    elif cmd == "list":
        (docs,) = doc("List", GLib.Variant("(s)", (args[0],)), "(a{say})")
        for docid in sorted(docs):
            print(docid)
    elif cmd == "info":
        path, apps = doc("Info", GLib.Variant("(s)", (args[0],)), "(aya{sas})")
        print("path=" + bytes(path).rstrip(b"\0").decode())
        for app in sorted(apps):
            print("app=%s %s" % (app, ",".join(apps[app])))
    elif cmd == "lookup":
        (docid,) = doc("Lookup", GLib.Variant("(ay)", (os.fsencode(args[0]) + b"\0",)), "(s)")
        print(docid)
    elif cmd == "mountpoint":
        (mp,) = doc("GetMountPoint", None, "(ay)")
        print(bytes(mp).rstrip(b"\0").decode())
    elif cmd == "netmon":
        (avail,) = call(XDP_BUS, XDP_PATH, "org.freedesktop.portal.NetworkMonitor",
                        "GetAvailable", None, "(b)")
        print("true" if avail else "false")
    elif cmd == "gamemode":
        (st,) = call(XDP_BUS, XDP_PATH, "org.freedesktop.portal.GameMode",
                     "QueryStatus", GLib.Variant("(i)", (os.getpid(),)), "(i)")
        print(st)
    elif cmd == "cat":
        with open(args[0]) as f:
            sys.stdout.write(f.read())
    elif cmd == "exists":
        # Prints the answer, so a launch that failed is not taken for "no".
        there = os.path.lexists(args[0])
        print("yes" if there else "no")
        return 0 if there else 1
    else:
        print("unknown command " + cmd, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv))
    except GLib.Error as e:
        name = Gio.DBusError.get_remote_error(e) or "%s.%d" % (GLib.quark_to_string(e.domain), e.code)
        msg = e.message
        prefix = "GDBus.Error:%s: " % name
        if msg.startswith(prefix):
            msg = msg[len(prefix):]
        print("DBUSERROR %s: %s" % (name, msg))
        sys.exit(2)
