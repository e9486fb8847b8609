# boxwrap — see README. Packagers' CFLAGS/LDFLAGS survive: we only add.
VERSION = 0.1.0
PREFIX ?= /usr/local
BINDIR ?= $(PREFIX)/bin
LIBDIR ?= $(PREFIX)/lib
DATADIR ?= $(PREFIX)/share
MANDIR ?= $(DATADIR)/man
SYSCONFDIR ?= /etc
BWRAP ?= /usr/bin/bwrap
XDG_DBUS_PROXY ?= /usr/bin/xdg-dbus-proxy
SECCOMPDIR = $(LIBDIR)/boxwrap/seccomp
SPAWN_HELPER = $(LIBDIR)/boxwrap/flatpak-spawn
WAYLAND_HELPER = $(LIBDIR)/boxwrap/wayland-context
OPEN_HELPER = $(LIBDIR)/boxwrap/open-binds
PKG_CONFIG ?= pkg-config
SCDOC ?= scdoc
CC ?= cc
B ?= .build

# Asked of pkg-config when a recipe first needs them, once, not when make
# reads this file: `make deps demo` installs pkg-config and the -dev
# packages before the first compile asks.
pkg_config = $(if $(filter __failed__,$(1)),$(error $(PKG_CONFIG) $(2) yaml-0.1 libseccomp failed: \
	run `make deps` or install pkg-config, libyaml and libseccomp's development files),$(1))
pkg_config_run = $(call pkg_config,$(shell $(PKG_CONFIG) $(1) yaml-0.1 libseccomp || echo __failed__),$(1))
DEPS_CFLAGS = $(eval DEPS_CFLAGS := $$(call pkg_config_run,--cflags))$(DEPS_CFLAGS)
DEPS_LIBS = $(eval DEPS_LIBS := $$(call pkg_config_run,--libs))$(DEPS_LIBS)
CFLAGS ?= -O2 -g
# override: our flags survive a CFLAGS given on the command line too.
override CFLAGS += -std=c11 -D_GNU_SOURCE -Wall -Wextra -Werror -Wshadow -Wstrict-prototypes \
	-Wmissing-prototypes -Wvla -Wno-unused-parameter
# lib/seccomp.h shares its name with libseccomp's <seccomp.h>: quote-only.
override CPPFLAGS += -iquote lib -DBOXWRAP_VERSION='"$(VERSION)"' \
	-DBOXWRAP_BWRAP='"$(BWRAP)"' -DBOXWRAP_XDG_DBUS_PROXY='"$(XDG_DBUS_PROXY)"' \
	-DBOXWRAP_SECCOMP_DIR='"$(SECCOMPDIR)"' -DBOXWRAP_SPAWN_HELPER='"$(SPAWN_HELPER)"' \
	-DBOXWRAP_WAYLAND_HELPER='"$(WAYLAND_HELPER)"' \
	-DBOXWRAP_OPEN_HELPER='"$(OPEN_HELPER)"' \
	-DBOXWRAP_SYSCONFDIR='"$(SYSCONFDIR)"' -DBOXWRAP_DATADIR='"$(DATADIR)"' \
	-DBOXWRAP_BINDIR='"$(BINDIR)"' $(DEPS_CFLAGS)
LDLIBS += $(DEPS_LIBS)

LIB_SRC := $(sort $(wildcard lib/*.c))
LIB_OBJ := $(LIB_SRC:%.c=$(B)/%.o)
UNIT_SRC := $(sort $(wildcard tests/unit-*.c))
UNIT_BIN := $(UNIT_SRC:tests/%.c=$(B)/tests/%)
TEST_BIN := $(B)/tests/probe $(B)/tests/seccomp-export $(B)/tests/test-seccomp-unit $(UNIT_BIN)
PROFILES := $(sort $(wildcard profiles/*.yaml))
MANPAGES := doc/boxwrap.1 doc/boxwrap-profile.5

# The Wayland helper needs libwayland-client; WAYLAND_CONTEXT= builds
# without it (tests/tier-musl.sh, whose musl sysroot has none).
WAYLAND_CONTEXT = $(B)/wayland-context
all: $(B)/boxwrap $(B)/flatpak-spawn $(WAYLAND_CONTEXT) $(B)/open-binds $(B)/seccomp/default.bpf

# The compiled-in paths and flags are a prerequisite of every object:
# `make` then `make PREFIX=/usr install` rebuilds with /usr. The file is
# rewritten only when they change, so an unchanged build stays built.
BUILD_CONFIG = $(CC) $(CPPFLAGS) $(CFLAGS)
$(B)/build-config: FORCE
	@mkdir -p $(@D)
	@printf '%s\n' '$(subst ','\'',$(BUILD_CONFIG))' > $@.tmp
	@if cmp -s $@.tmp $@; then rm -f $@.tmp; else mv $@.tmp $@; fi

$(B)/%.o: %.c $(wildcard lib/*.h) $(B)/build-config
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) -c -o $@ $<

$(B)/libboxwrap.a: $(LIB_OBJ)
	rm -f $@
	$(AR) rcs $@ $^

$(B)/boxwrap: $(B)/gen/boxwrap.o $(B)/libboxwrap.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# flatpak-spawn for nested sandboxes (lib/spawn.h).
$(B)/flatpak-spawn: $(B)/gen/flatpak-spawn.o $(B)/libboxwrap.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The Wayland security context helper (gen/wayland-context.c), with code
# wayland-scanner generates from wayland-protocols' security-context-v1
# (staging since 1.32). Debian 12 has 1.31: then the copy in protocol/,
# the same file as wayland-protocols 1.44's.
WAYLAND_PROTOCOLS_DIR ?= $(shell $(PKG_CONFIG) --variable=pkgdatadir wayland-protocols 2>/dev/null)
WAYLAND_SCANNER ?= $(or $(shell $(PKG_CONFIG) --variable=wayland_scanner wayland-scanner 2>/dev/null),wayland-scanner)
SECURITY_CONTEXT_XML := $(or $(wildcard $(WAYLAND_PROTOCOLS_DIR)/staging/security-context/security-context-v1.xml),protocol/security-context-v1.xml)
$(B)/gen/security-context-v1-client-protocol.h: $(SECURITY_CONTEXT_XML)
	@mkdir -p $(@D)
	$(WAYLAND_SCANNER) client-header $< $@
$(B)/gen/security-context-v1-protocol.c: $(SECURITY_CONTEXT_XML)
	@mkdir -p $(@D)
	$(WAYLAND_SCANNER) private-code $< $@
$(B)/gen/security-context-v1-protocol.o: $(B)/gen/security-context-v1-protocol.c
	$(CC) $(CFLAGS) $(shell $(PKG_CONFIG) --cflags wayland-client) -c -o $@ $<
$(B)/gen/wayland-context.o: gen/wayland-context.c $(B)/gen/security-context-v1-client-protocol.h
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) -iquote $(B)/gen $(CFLAGS) $(shell $(PKG_CONFIG) --cflags wayland-client) -c -o $@ $<
$(B)/wayland-context: $(B)/gen/wayland-context.o $(B)/gen/security-context-v1-protocol.o
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(shell $(PKG_CONFIG) --libs wayland-client)
# Descriptor binds for emitted launchers (gen/open-binds.c).
$(B)/open-binds: $(B)/gen/open-binds.o $(B)/libboxwrap.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

$(B)/tests/%: $(B)/tests/%.o $(B)/libboxwrap.a
	$(CC) $(CFLAGS) $(LDFLAGS) -o $@ $^ $(LDLIBS)

# The probe must run in any sandbox: static, no libraries.
$(B)/tests/probe: tests/probe.c
	@mkdir -p $(@D)
	$(CC) $(CFLAGS) -static -o $@ $< || $(CC) $(CFLAGS) -o $@ $<

# Precompiled filters for emitted launchers, one per knob combination.
$(B)/seccomp/default.bpf: $(B)/boxwrap
	@mkdir -p $(B)/seccomp
	$(B)/boxwrap seccomp --all $(B)/seccomp

man: $(MANPAGES)
doc/%: doc/%.scd
	$(SCDOC) < $< > $@.tmp && mv $@.tmp $@

# wrappers/ holds the launcher emitted from each shipped profile; a test
# fails when it is stale.
wrappers: $(B)/boxwrap
	@mkdir -p wrappers
	@for p in $(PROFILES); do \
		n=$${p##*/}; n=$${n%.yaml}; \
		BOXWRAP_BWRAP=$(BWRAP) BOXWRAP_SECCOMP_DIR=/usr/lib/boxwrap/seccomp \
			BOXWRAP_SPAWN_HELPER=/usr/lib/boxwrap/flatpak-spawn \
			BOXWRAP_WAYLAND_HELPER=/usr/lib/boxwrap/wayland-context \
			BOXWRAP_OPEN_HELPER=/usr/lib/boxwrap/open-binds BOXWRAP_SELF=/usr/bin/boxwrap \
			$(B)/boxwrap emit -o wrappers/$$n.sh $$p || exit 1; \
	done

check: all $(TEST_BIN)
	@B=$(B) sh tests/run.sh

# What `check` runs, built only (tests/tier-arm64.sh builds it under qemu-user).
test-bins: all $(TEST_BIN)

# The arm64 tier: boxwrap built for aarch64 under qemu-user, then tested on
# an aarch64 kernel under qemu-system-aarch64 (tests/tier-arm64.sh), with
# the root `make deps` cached by tests/arm64-root.sh.
check-arm64:
	@sh tests/tier-arm64.sh

# The unit tests again under AddressSanitizer and UndefinedBehaviorSanitizer.
check-asan:
	$(MAKE) B=.build-asan CFLAGS="-O1 -g -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all" \
		LDFLAGS="-fsanitize=address,undefined" .build-asan/boxwrap $(UNIT_BIN:$(B)/%=.build-asan/%) .build-asan/tests/test-seccomp-unit
	@B=.build-asan TESTS_UNIT_ONLY=1 sh tests/run.sh

# libFuzzer harnesses (tests/fuzz/), built with clang and the sanitizers
# in their own directory. `make fuzz` runs each for FUZZ_SECONDS;
# tests/t-fuzz.sh runs them briefly as part of check.
FUZZ_B ?= .build-fuzz
FUZZ_SECONDS ?= 600
FUZZ_SAN = -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
FUZZ_HARNESSES := $(patsubst tests/fuzz/%.c,%,$(sort $(wildcard tests/fuzz/fuzz-*.c)))
fuzz-build:
	$(MAKE) B=$(FUZZ_B) CC=clang CFLAGS="-O1 -g $(FUZZ_SAN) -fsanitize=fuzzer-no-link" \
		LDFLAGS="$(FUZZ_SAN) -fsanitize=fuzzer" $(FUZZ_HARNESSES:%=$(FUZZ_B)/fuzz/%)

$(B)/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzzlib.h $(B)/libboxwrap.a $(B)/build-config
	@mkdir -p $(@D)
	$(CC) $(CPPFLAGS) $(CFLAGS) $(LDFLAGS) -o $@ $< $(B)/libboxwrap.a $(LDLIBS)

fuzz: fuzz-build
	@FUZZ_B=$(FUZZ_B) FUZZ_SECONDS=$(FUZZ_SECONDS) sh tests/t-fuzz.sh

# Launch times against bare bwrap; not part of check.
bench: all
	@B=$(B) sh tests/bench.sh

# The Debian 13 tier: the sandbox, D-Bus, portal, secret, seccomp, fault,
# same-argv and a11y suites again, in the Debian 13 root (today's bwrap,
# xdg-dbus-proxy, xdg-desktop-portal, dbus, libseccomp), with this build.
check-debian13: all $(TEST_BIN)
	@B=$(B) sh tests/tier-debian13.sh

# The APKBUILD's build() and check() as on Alpine: a static musl boxwrap,
# libseccomp 2.6, busybox coreutils, a non-root user, no user namespaces
# (tests/tier-musl.sh; as root, caches its libraries in /var/cache/boxwrap).
check-musl:
	@sh tests/tier-musl.sh

# Everything CI runs: the unit tests under the sanitizers, all tests, then
# the Debian 13, arm64 and musl tiers.
check-all: check-asan check check-debian13 check-arm64 check-musl

demo: all
	@B=$(B) sh tests/demo.sh

# System packages: apt-get on Debian, apk on Alpine.
deps:
	@sh tests/install-deps.sh

install: all man
	install -Dm755 $(B)/boxwrap $(DESTDIR)$(BINDIR)/boxwrap
	install -Dm755 $(B)/flatpak-spawn $(DESTDIR)$(SPAWN_HELPER)
	$(if $(WAYLAND_CONTEXT),install -Dm755 $(WAYLAND_CONTEXT) $(DESTDIR)$(WAYLAND_HELPER))
	install -Dm755 $(B)/open-binds $(DESTDIR)$(OPEN_HELPER)
	install -d $(DESTDIR)$(SECCOMPDIR)
	install -m644 $(B)/seccomp/*.bpf $(DESTDIR)$(SECCOMPDIR)/
	install -d $(DESTDIR)$(DATADIR)/boxwrap/profiles
	for p in $(PROFILES); do install -m644 $$p $(DESTDIR)$(DATADIR)/boxwrap/profiles/; done
	# The administrator's profiles (the apk trigger watches both), and
	# PATH, XDG_DATA_DIRS and XDG_CONFIG_DIRS for what `boxwrap export`
	# writes: login shells (profile.d) and systemd user sessions.
	install -d $(DESTDIR)$(SYSCONFDIR)/boxwrap/profiles
	install -Dm644 contrib/profile.d/boxwrap.sh $(DESTDIR)$(SYSCONFDIR)/profile.d/boxwrap.sh
	install -Dm644 contrib/environment.d/60-boxwrap.conf $(DESTDIR)$(LIBDIR)/environment.d/60-boxwrap.conf
	# WirePlumber: boxwrap apps may play but not capture (access-boxwrap.lua).
	install -Dm644 contrib/wireplumber/wireplumber.conf.d/60-boxwrap.conf \
		$(DESTDIR)$(DATADIR)/wireplumber/wireplumber.conf.d/60-boxwrap.conf
	install -Dm644 contrib/wireplumber/scripts/client/access-boxwrap.lua \
		$(DESTDIR)$(DATADIR)/wireplumber/scripts/client/access-boxwrap.lua
	for m in $(MANPAGES); do \
		s=$${m##*.}; install -Dm644 $$m $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; done

clean:
	rm -rf .build .build-asan .build-fuzz

FORCE:
.PHONY: FORCE all man wrappers check check-asan check-debian13 check-arm64 check-musl check-all test-bins demo deps install clean fuzz fuzz-build bench
.DELETE_ON_ERROR:
