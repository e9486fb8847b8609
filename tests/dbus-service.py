#!/usr/bin/python3
"""A D-Bus service for the tests: owns the names given on the command
line and answers org.boxwrap.Test.Ping with "pong"."""
import sys
from gi.repository import Gio, GLib

XML = """<node><interface name='org.boxwrap.Test'>
<method name='Ping'><arg type='s' direction='out'/></method>
</interface></node>"""


def on_call(conn, sender, path, iface, method, params, invocation):
    invocation.return_value(GLib.Variant("(s)", ("pong",)))


bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
node = Gio.DBusNodeInfo.new_for_xml(XML)
bus.register_object("/org/boxwrap/Test", node.interfaces[0], on_call, None, None)
for name in sys.argv[1:]:
    Gio.bus_own_name_on_connection(bus, name, Gio.BusNameOwnerFlags.NONE, None, None)
print("ready", flush=True)
GLib.MainLoop().run()
