#!/usr/bin/python3
"""Runs inside a sandbox, on the accessibility bus named by
AT_SPI_BUS_ADDRESS: one request per argument, printing "OK <what>" or
"DENIED <what>: <error>" for each.
  env                   print AT_SPI_BUS_ADDRESS
  registry:METHOD       org.a11y.atspi.Registry.METHOD on the registry
  dec:METHOD            org.a11y.atspi.DeviceEventController.METHOD
  introspect            Introspect on the registry
  ping:NAME             org.boxwrap.Test.Ping on NAME (another a11y client)
  signal:SECONDS        subscribe to the registry's signals, print
                        "SIGNAL <member>" for each until SECONDS pass"""
import os
import sys

from gi.repository import Gio, GLib

REG = "org.a11y.atspi.Registry"
REG_PATH = "/org/a11y/atspi/registry"
DEC_PATH = "/org/a11y/atspi/registry/deviceeventcontroller"
DEC = "org.a11y.atspi.DeviceEventController"

if sys.argv[1:] == ["env"]:
    print(os.environ.get("AT_SPI_BUS_ADDRESS", "(unset)"))
    sys.exit(0)

bus = Gio.DBusConnection.new_for_address_sync(
    os.environ["AT_SPI_BUS_ADDRESS"],
    Gio.DBusConnectionFlags.AUTHENTICATION_CLIENT | Gio.DBusConnectionFlags.MESSAGE_BUS_CONNECTION,
    None, None)

# Arguments that make each method a well-formed call.
DEC_ARGS = {
    "GetKeystrokeListeners": None,
    "GetDeviceEventListeners": None,
    "RegisterKeystrokeListener": GLib.Variant(
        "(oa(iisi)uau(bbb))", ("/org/boxwrap/listener", [], 0, [], (False, False, False))),
}


def call(dest, path, iface, method, args):
    return bus.call_sync(dest, path, iface, method, args, None,
                         Gio.DBusCallFlags.NO_AUTO_START, 5000, None)


for req in sys.argv[1:]:
    kind, _, arg = req.partition(":")
    try:
        if kind == "registry":
            call(REG, REG_PATH, REG, arg, None)
        elif kind == "dec":
            call(REG, DEC_PATH, DEC, arg, DEC_ARGS.get(arg))
        elif kind == "introspect":
            call(REG, REG_PATH, "org.freedesktop.DBus.Introspectable", "Introspect", None)
        elif kind == "ping":
            call(arg, "/org/boxwrap/Test", "org.boxwrap.Test", "Ping", None)
        elif kind == "signal":
            loop = GLib.MainLoop()

            def on_signal(conn, sender, path, iface, member, params, *_):
                print("SIGNAL %s" % member, flush=True)

            bus.signal_subscribe(None, REG, None, REG_PATH, None, Gio.DBusSignalFlags.NONE, on_signal)
            print("subscribed", flush=True)
            GLib.timeout_add(int(float(arg) * 1000), loop.quit)
            loop.run()
        print("OK %s" % req, flush=True)
    except GLib.Error as e:
        print("DENIED %s: %s" % (req, e.message), flush=True)
