#!/usr/bin/python3
"""Runs inside a sandbox: one request per argument, printing "OK <what>"
or "DENIED <what>: <error>" for each.
  names                 ListNames, the well-known names only
  open-session          org.freedesktop.Secret.Service.OpenSession on
                        org.freedesktop.secrets (the Secret Service itself)
  impl-retrieve:APPID   gnome-keyring's portal back end directly, asking
                        for APPID's key (what only xdg-desktop-portal may do)
  portal-version        the Secret portal's version property"""
import os
import sys

from gi.repository import Gio, GLib

bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)


def call(dest, path, iface, method, args, fds=None):
    return bus.call_with_unix_fd_list_sync(dest, path, iface, method, args, None,
                                           Gio.DBusCallFlags.NO_AUTO_START, 5000, fds, None)[0]


for req in sys.argv[1:]:
    kind, _, arg = req.partition(":")
    try:
        if kind == "names":
            names = call("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus",
                         "ListNames", None).unpack()[0]
            print("OK names " + " ".join(sorted(n for n in names if not n.startswith(":"))))
            continue
        if kind == "open-session":
            call("org.freedesktop.secrets", "/org/freedesktop/secrets", "org.freedesktop.Secret.Service",
                 "OpenSession", GLib.Variant("(sv)", ("plain", GLib.Variant("s", ""))))
        elif kind == "impl-retrieve":
            r, w = os.pipe()
            fds = Gio.UnixFDList.new_from_array([w])
            call("org.freedesktop.secrets", "/org/freedesktop/portal/desktop",
                 "org.freedesktop.impl.portal.Secret", "RetrieveSecret",
                 GLib.Variant("(osha{sv})", ("/org/freedesktop/portal/desktop/request/1_1/x", arg, 0, {})), fds)
        elif kind == "portal-version":
            v = call("org.freedesktop.portal.Desktop", "/org/freedesktop/portal/desktop",
                     "org.freedesktop.DBus.Properties", "Get",
                     GLib.Variant("(ss)", ("org.freedesktop.portal.Secret", "version"))).unpack()[0]
            print("OK portal-version %d" % v, flush=True)
            continue
        print("OK %s" % req, flush=True)
    except GLib.Error as e:
        print("DENIED %s: %s" % (req, e.message), flush=True)
