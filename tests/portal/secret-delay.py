#!/usr/bin/python3
# A Secret portal back end for the tests that hands every RetrieveSecret
# on to gnome-keyring's (org.freedesktop.secrets) after DELAY_MS.
#
# Why: libsecret before 0.21 (Debian 12 has 0.20.5) sends RetrieveSecret
# without a handle_token, so it can only subscribe to the Request's
# Response signal after the call returns; gnome-keyring answers within a
# few milliseconds and the Response usually arrives before the
# subscription: secret-tool then waits for ever. The delay lets such a
# libsecret subscribe first. The key still comes from gnome-keyring.
#
# Usage: secret-delay.py BUS-NAME DELAY_MS   (prints "ready")
import sys

from gi.repository import Gio, GLib

XML = """<node><interface name='org.freedesktop.impl.portal.Secret'>
<method name='RetrieveSecret'>
<arg type='o' direction='in'/><arg type='s' direction='in'/>
<arg type='h' direction='in'/><arg type='a{sv}' direction='in'/>
<arg type='u' direction='out'/><arg type='a{sv}' direction='out'/>
</method>
<property name='version' type='u' access='read'/>
</interface></node>"""
IMPL = "org.freedesktop.impl.portal.Secret"
PATH = "/org/freedesktop/portal/desktop"

bus = Gio.bus_get_sync(Gio.BusType.SESSION, None)
delay = int(sys.argv[2])


def forward(params, fds, invocation):
    def done(conn, res):
        try:
            out, _ = conn.call_with_unix_fd_list_finish(res)
            invocation.return_value(out)
        except GLib.Error as e:
            invocation.return_gerror(e)
    bus.call_with_unix_fd_list("org.freedesktop.secrets", PATH, IMPL, "RetrieveSecret", params,
                               GLib.VariantType.new("(ua{sv})"), Gio.DBusCallFlags.NONE, 30000,
                               fds, None, done)
    return False


def on_call(conn, sender, path, iface, method, params, invocation):
    fds = invocation.get_message().get_unix_fd_list()
    GLib.timeout_add(delay, forward, params, fds, invocation)


def on_get(conn, sender, path, iface, prop):
    return GLib.Variant("u", 1)


node = Gio.DBusNodeInfo.new_for_xml(XML)
bus.register_object(PATH, node.interfaces[0], on_call, on_get, None)
Gio.bus_own_name_on_connection(bus, sys.argv[1], Gio.BusNameOwnerFlags.NONE, None, None)
print("ready", flush=True)
GLib.MainLoop().run()
