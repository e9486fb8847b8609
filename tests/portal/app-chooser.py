#!/usr/bin/python3
# A stand-in for the desktop's AppChooser back end (the dialog that asks
# which app opens a file): xdg-desktop-portal exports OpenURI only when
# one is configured, and asks it only once the descriptor the app passed
# has been accepted. This one asks nobody: it logs each call and answers
# "cancelled" (1), so a test sees that a request got that far.
#
# Usage: app-chooser.py BUS-NAME LOG-FILE   (prints "ready")
import sys

from gi.repository import Gio, GLib

XML = """<node><interface name='org.freedesktop.impl.portal.AppChooser'>
<method name='ChooseApplication'>
<arg type='o' direction='in'/><arg type='s' direction='in'/>
<arg type='s' direction='in'/><arg type='as' direction='in'/>
<arg type='a{sv}' direction='in'/>
<arg type='u' direction='out'/><arg type='a{sv}' direction='out'/>
</method>
<method name='UpdateChoices'>
<arg type='o' direction='in'/><arg type='as' direction='in'/>
</method>
<property name='version' type='u' access='read'/>
</interface></node>"""
PATH = "/org/freedesktop/portal/desktop"

bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
log = sys.argv[2]


def on_call(conn, sender, path, iface, method, params, invocation):
    if method == "ChooseApplication":
        _handle, app_id, _parent, choices, opts = params.unpack()
        with open(log, "a") as f:
            f.write("ChooseApplication app=%s choices=%d content_type=%s\n"
                    % (app_id, len(choices), opts.get("content_type", "")))
        invocation.return_value(GLib.Variant("(ua{sv})", (1, {})))
    else:
        invocation.return_value(None)


def on_get(conn, sender, path, iface, prop):
    return GLib.Variant("u", 2)


node = Gio.DBusNodeInfo.new_for_xml(XML)
bus.register_object(PATH, node.interfaces[0], on_call, on_get, None)
Gio.bus_own_name_on_connection(bus, sys.argv[1], Gio.BusNameOwnerFlags.NONE, None, None)
print("ready", flush=True)
GLib.MainLoop().run()
