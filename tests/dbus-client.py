#!/usr/bin/python3
"""Runs inside a sandbox: one D-Bus request per argument, printing
"OK <what>" or "DENIED <what>: <error>" for each.
  names                 ListNames
  ping:NAME             org.boxwrap.Test.Ping on NAME
  start:NAME            StartServiceByName
  eavesdrop:RULE        AddMatch with an eavesdropping rule
  monitor               BecomeMonitor
  activation-env        UpdateActivationEnvironment
  own:NAME              RequestName
  unique-and-wait       print the unique name, then wait to be killed"""
import sys
import time
from gi.repository import Gio, GLib

bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
DBUS = ("org.freedesktop.DBus", "/org/freedesktop/DBus", "org.freedesktop.DBus")


def call(dest, path, iface, method, args, reply="(s)"):
    return bus.call_sync(dest, path, iface, method, args, None, Gio.DBusCallFlags.NO_AUTO_START, 5000, None)


def bus_call(method, args):
    return call(*DBUS, method, args)


for req in sys.argv[1:]:
    kind, _, arg = req.partition(":")
    try:
        if kind == "names":
            names = bus_call("ListNames", None).unpack()[0]
            print("OK names " + " ".join(sorted(n for n in names if not n.startswith(":"))))
            continue
        if kind == "ping":
            out = call(arg, "/org/boxwrap/Test", "org.boxwrap.Test", "Ping", None).unpack()[0]
        elif kind == "start":
            out = bus_call("StartServiceByName", GLib.Variant("(su)", (arg, 0)))
        elif kind == "eavesdrop":
            out = bus_call("AddMatch", GLib.Variant("(s)", (arg,)))
        elif kind == "monitor":
            out = call(DBUS[0], DBUS[1], "org.freedesktop.DBus.Monitoring", "BecomeMonitor",
                       GLib.Variant("(asu)", ([], 0)))
        elif kind == "activation-env":
            out = bus_call("UpdateActivationEnvironment",
                           GLib.Variant("(a{ss})", ({"LD_PRELOAD": "/x"},)))
        elif kind == "own":
            out = bus_call("RequestName", GLib.Variant("(su)", (arg, 4))).unpack()[0]
            if out != 1:
                raise RuntimeError("RequestName returned %d" % out)
        elif kind == "unique-and-wait":
            print(bus.get_unique_name(), flush=True)
            time.sleep(60)
            continue
        print("OK %s" % req, flush=True)
    except GLib.Error as e:
        print("DENIED %s: %s" % (req, e.message), flush=True)
    except RuntimeError as e:
        print("DENIED %s: %s" % (req, e), flush=True)
