/* The profile loader, name validation, reserved paths, policy merge and
 * terminal escaping. Diagnostics are compared as exact text: they are the
 * interface a packager reads. */
#include <stdlib.h>
#include <string.h>

#include "busrules.h"
#include "escape.h"
#include "fsgrant.h"
#include "names.h"
#include "policy.h"
#include "profile.h"
#include "tap.h"
#include "utf8.h"
#include "util.h"
#include "yamltree.h"

#define H "app-id: org.example.App\ncommand: /usr/bin/app\n"

static int load_n(const char *yaml, size_t len, enum profile_kind kind, struct policy *p,
		  struct diag *d)
{
	*d = (struct diag){.file = "t.yaml"};
	return profile_load_buf(yaml, len, kind, p, d);
}

/* Loads a profile that must be valid; its diagnostics go to the TAP log. */
static bool load_ok(const char *yaml, enum profile_kind kind, struct policy *p, const char *what)
{
	struct diag d;
	int rc = load_n(yaml, strlen(yaml), kind, p, &d);
	TAP_OK(rc == 0, "loads: %s", what);
	for (size_t i = 0; i < d.msgs.n; i++)
		printf("#   %s\n", d.msgs.v[i]);
	diag_clear(&d);
	if (rc != 0)
		*p = (struct policy){0};
	return rc == 0;
}

/* The first diagnostic is exactly want (NULL: the profile loads). */
static void first_diag_n(enum profile_kind kind, const char *yaml, size_t len, const char *want,
			 const char *what)
{
	struct policy p;
	struct diag d;
	int rc = load_n(yaml, len, kind, &p, &d);
	const char *got = rc == 0 ? "(loaded without error)" : d.msgs.n ? d.msgs.v[0] : "(failed, no message)";
	if (!want) {
		got = rc == 0 ? "(loaded)" : got;
		want = "(loaded)";
	}
	TAP_STREQ(got, want, "%s", what);
	if (rc == 0)
		policy_free(&p);
	diag_clear(&d);
}

#define ERR(what, yaml, want) first_diag_n(PROFILE_APP, yaml, strlen(yaml), want, what)
#define ERR_OVR(what, yaml, want) first_diag_n(PROFILE_OVERRIDE, yaml, strlen(yaml), want, what)
#define OK_APP(what, yaml) first_diag_n(PROFILE_APP, yaml, strlen(yaml), NULL, what)
#define OK_OVR(what, yaml) first_diag_n(PROFILE_OVERRIDE, yaml, strlen(yaml), NULL, what)

static bool strv_is(const struct strv *sv, const char *const *want)
{
	size_t n = 0;
	while (want[n])
		n++;
	if (sv->n != n)
		return false;
	for (size_t i = 0; i < n; i++)
		if (strcmp(sv->v[i], want[i]))
			return false;
	return true;
}
#define STRV_IS(sv, ...) strv_is(sv, (const char *const[]){__VA_ARGS__, NULL})

static bool fs_is(const struct fs_grant *g, enum fs_base base, const char *xdg, const char *sub,
		  enum fs_mode mode, bool deny)
{
	return g->base == base && (xdg ? g->xdg_name && !strcmp(g->xdg_name, xdg) : !g->xdg_name) &&
	       g->sub && !strcmp(g->sub, sub) && g->mode == mode && g->deny == deny;
}

static void test_fields(void)
{
	struct policy p;
	const char *yaml =
		"# every key\n"
		"app-id: org.example.My-App\n"
		"command: /usr/bin/app\n"
		"args: [--flag, '$(not run)', \"two words\", '', \"0755\", yes]\n"
		"shared: [network, ipc]\n"
		"sockets: [wayland, x11, fallback-x11, pulseaudio, pipewire, session-bus, system-bus,\n"
		"          ssh-auth, pcsc, cups, gpg-agent]\n"
		"devices: [dri, input, usb, kvm, shm, all]\n"
		"features: [devel, multiarch, bluetooth, canbus, nested-sandbox]\n"
		"filesystems:\n"
		"  - host\n"
		"  - host-os:ro\n"
		"  - host-etc\n"
		"  - xdg-download\n"
		"  - xdg-download/sub:ro\n"
		"  - xdg-config/a//b/./c/:create\n"
		"  - xdg-run/pulse/native\n"
		"  - ~/Games:ro\n"
		"  - /srv/data:rw\n"
		"  - /opt:create\n"
		"  - xdg-documents\n"
		"persistent: [.mozilla, a/b]\n"
		"environment:\n"
		"  FOO: bar\n"
		"  EMPTY: \"\"\n"
		"  NUM: 0x10\n"
		"unset-environment: [LD_PRELOAD, _X1]\n"
		"session-bus:\n"
		"  own: [org.example.My-App.Sub]\n"
		"  talk: [org.freedesktop.Notifications, org.example.Other.*]\n"
		"  see: [org.example.Seen]\n"
		"  call: [org.freedesktop.portal.Desktop=org.freedesktop.portal.Settings.Read@/org/freedesktop/portal/desktop]\n"
		"  broadcast: [org.example.Other=*]\n"
		"system-bus:\n"
		"  talk: [org.freedesktop.UPower]\n";
	if (!load_ok(yaml, PROFILE_APP, &p, "a profile with every key"))
		return;
	TAP_STREQ(p.app_id, "org.example.My-App", "app-id");
	TAP_STREQ(p.command, "/usr/bin/app", "command");
	TAP_OK(STRV_IS(&p.args, "--flag", "$(not run)", "two words", "", "0755", "yes"),
	       "args are kept as written, in order ('0755' and 'yes' stay strings)");
	TAP_OK(p.shared.grant == (SHARE_NETWORK | SHARE_IPC) && !p.shared.deny && !p.shared.reset, "shared");
	TAP_OK(p.sockets.grant == (SOCK_WAYLAND | SOCK_X11 | SOCK_FALLBACK_X11 | SOCK_PULSEAUDIO |
				   SOCK_PIPEWIRE | SOCK_SESSION_BUS | SOCK_SYSTEM_BUS | SOCK_SSH_AUTH |
				   SOCK_PCSC | SOCK_CUPS | SOCK_GPG_AGENT), "sockets");
	TAP_OK(p.devices.grant == (DEV_DRI | DEV_INPUT | DEV_USB | DEV_KVM | DEV_SHM | DEV_ALL), "devices");
	TAP_OK(p.features.grant == (FEAT_DEVEL | FEAT_MULTIARCH | FEAT_BLUETOOTH | FEAT_CANBUS |
				    FEAT_NESTED_SANDBOX), "features");
	TAP_OK(p.nfs == 11 && !p.fs_reset, "11 filesystem grants");
	if (p.nfs == 11) {
		TAP_OK(fs_is(&p.fs[0], FS_HOST, NULL, "", FS_RW, false), "host (default mode rw)");
		TAP_OK(fs_is(&p.fs[1], FS_HOST_OS, NULL, "", FS_RO, false), "host-os:ro");
		TAP_OK(fs_is(&p.fs[2], FS_HOST_ETC, NULL, "", FS_RW, false), "host-etc");
		TAP_OK(fs_is(&p.fs[3], FS_XDG, "download", "", FS_RW, false), "xdg-download");
		TAP_OK(fs_is(&p.fs[4], FS_XDG, "download", "sub", FS_RO, false), "xdg-download/sub:ro");
		TAP_OK(fs_is(&p.fs[5], FS_XDG, "config", "a/b/c", FS_CREATE, false),
		       "xdg-config/a//b/./c/:create, normalised");
		TAP_OK(fs_is(&p.fs[6], FS_XDG_RUN, NULL, "pulse/native", FS_RW, false), "xdg-run/pulse/native");
		TAP_OK(fs_is(&p.fs[7], FS_HOME_REL, NULL, "Games", FS_RO, false), "~/Games:ro");
		TAP_OK(fs_is(&p.fs[8], FS_ABS, NULL, "srv/data", FS_RW, false), "/srv/data:rw");
		TAP_OK(fs_is(&p.fs[9], FS_ABS, NULL, "opt", FS_CREATE, false), "/opt:create");
		TAP_OK(fs_is(&p.fs[10], FS_XDG, "documents", "", FS_RW, false), "xdg-documents");
		TAP_OK(p.fs[7].line == 18 && p.fs[7].col == 5, "a grant remembers its line and column");
		cleanup_free char *k = fs_grant_key(&p.fs[5]);
		TAP_STREQ(k, "xdg-config/a/b/c", "fs_grant_key has no mode and is normalised");
	}
	TAP_OK(STRV_IS(&p.persistent, ".mozilla", "a/b"), "persistent");
	TAP_OK(STRV_IS(&p.env_names, "FOO", "EMPTY", "NUM") && STRV_IS(&p.env_values, "bar", "", "0x10"),
	       "environment names and values, \"\" kept as empty");
	TAP_OK(STRV_IS(&p.unset_env, "LD_PRELOAD", "_X1"), "unset-environment");
	TAP_OK(p.session_bus.present && STRV_IS(&p.session_bus.own, "org.example.My-App.Sub"), "session-bus own");
	TAP_OK(STRV_IS(&p.session_bus.talk, "org.freedesktop.Notifications", "org.example.Other.*"),
	       "session-bus talk, with a wildcard");
	TAP_OK(STRV_IS(&p.session_bus.see, "org.example.Seen"), "session-bus see");
	TAP_OK(STRV_IS(&p.session_bus.call, "org.freedesktop.portal.Desktop=org.freedesktop.portal.Settings.Read@/org/freedesktop/portal/desktop"),
	       "session-bus call keeps the whole rule");
	TAP_OK(STRV_IS(&p.session_bus.broadcast, "org.example.Other=*"), "session-bus broadcast");
	TAP_OK(p.session_bus.none.n == 0, "no bus denials");
	TAP_OK(p.system_bus.present && STRV_IS(&p.system_bus.talk, "org.freedesktop.UPower"), "system-bus talk");
	TAP_STREQ(p.path, "t.yaml", "the policy remembers its file");
	policy_free(&p);

	if (load_ok(H, PROFILE_APP, &p, "the smallest profile")) {
		TAP_OK(!p.args.n && !p.nfs && !p.shared.grant && !p.sockets.grant && !p.session_bus.present &&
		       !p.system_bus.present, "the smallest profile grants nothing");
		policy_free(&p);
	}
	OK_APP("CRLF line ends", "app-id: org.example.App\r\ncommand: /usr/bin/app\r\n");
	OK_APP("document markers --- and ...", "---\n" H "...\n");
	OK_APP("empty lists and mappings", H "args: []\nshared: []\nfilesystems: []\nenvironment: {}\nsession-bus: {}\n");
	OK_APP("a leading BOM is allowed", "\xef\xbb\xbf" H);
	OK_APP("a leading BOM before a comment is allowed", "\xef\xbb\xbf# c\n" H);
	OK_APP("args may hold shell syntax and newlines: they are data",
	       H "args: ['$(touch /tmp/x)', '`id`', \"a\\nb\", ';', '--bind / /']\n");
	OK_APP("talk to a portal name is fine", H "session-bus:\n  talk: [org.freedesktop.portal.Desktop]\n");
}

static void test_syntax_errors(void)
{
	ERR("unknown key, did you mean", H "filesystem: [home]\n",
	    "t.yaml:3:1: unknown key 'filesystem'; did you mean 'filesystems'?");
	ERR("unknown key app_id", H "app_id: x\n", "t.yaml:3:1: unknown key 'app_id'; did you mean 'app-id'?");
	ERR("unknown key, nothing close", H "permissions: [all]\n", "t.yaml:3:1: unknown key 'permissions'");
	ERR("unknown bus level", H "session-bus:\n  listen: [org.example.Foo]\n",
	    "t.yaml:4:3: unknown key 'listen' in session-bus (expected own, talk, see, call, broadcast)");
	ERR("duplicate key", H "app-id: org.example.Evil\n", "t.yaml:3:1: duplicate key 'app-id' (first at line 1)");
	ERR("duplicate key, one quoted", H "\"command\": /bin/sh\n",
	    "t.yaml:3:1: duplicate key 'command' (first at line 2)");
	ERR("duplicate key in environment", H "environment:\n  A: x\n  A: y\n",
	    "t.yaml:5:3: duplicate key 'A' (first at line 4)");
	ERR("anchor", H "args: &a [x]\n", "t.yaml:3:7: anchors are not allowed in a profile");
	ERR("alias", H "args: *a\n", "t.yaml:3:7: aliases are not allowed in a profile");
	ERR("billion laughs stops at the first anchor",
	    H "a: &a [lol, lol, lol]\nb: &b [*a, *a, *a]\nargs: [*b, *b, *b]\n",
	    "t.yaml:3:4: anchors are not allowed in a profile");
	ERR("tag !!binary", H "args: !!binary aGVsbG8=\n", "t.yaml:3:7: tags are not allowed in a profile");
	ERR("tag !custom", H "args: [!custom x]\n", "t.yaml:3:8: tags are not allowed in a profile");
	ERR("tag on the document", "--- !!map\n" H, "t.yaml:1:5: tags are not allowed in a profile");
	ERR("merge key", H "<<: {filesystems: [host]}\n", "t.yaml:3:1: merge keys (<<) are not allowed in a profile");
	ERR("multiple documents", H "---\n" H, "t.yaml:3:1: a profile is one YAML document; found a second one");
	ERR("%YAML directive", "%YAML 1.1\n---\n" H,
	    "t.yaml:1:1: %YAML and %TAG directives are not allowed in a profile");
	ERR("%TAG directive", "%TAG !e! tag:example.com,2000:\n---\n" H,
	    "t.yaml:1:1: %YAML and %TAG directives are not allowed in a profile");
	static const char nul[] = H "args: [a\0b]\n";
	first_diag_n(PROFILE_APP, nul, sizeof(nul) - 1, "t.yaml:3:9: NUL byte (byte 0x00) is not allowed in a profile",
		     "NUL byte");
	ERR("control character", H "args: [a\x01]\n",
	    "t.yaml:3:9: control character (byte 0x01) is not allowed in a profile");
	ERR("raw escape sequence", H "args: [\x1b[31mred]\n",
	    "t.yaml:3:8: control character (byte 0x1b) is not allowed in a profile");
	ERR("DEL", H "args: [a\x7f]\n", "t.yaml:3:9: control character (byte 0x7f) is not allowed in a profile");
	ERR("lone carriage return", H "args: [a\rb]\n",
	    "t.yaml:3:9: carriage return (byte 0x0d) is not allowed in a profile");
	ERR("escape sequence through \\e", H "args: [\"\\e[2J\"]\n", "t.yaml:3:8: control character (0x1b) in value");
	ERR("NUL through \\0", H "args: [\"a\\0\"]\n", "t.yaml:3:8: control character (0x00) in value");
	ERR("invalid UTF-8", H "args: [a\xff]\n", "t.yaml:3:9: invalid UTF-8 (byte 0xff) is not allowed in a profile");
	ERR("overlong UTF-8", H "args: [\xc0\xaf]\n", "t.yaml:3:8: invalid UTF-8 (byte 0xc0) is not allowed in a profile");
	ERR("UTF-8 surrogate", H "args: [\xed\xa0\x80]\n",
	    "t.yaml:3:8: invalid UTF-8 (byte 0xed) is not allowed in a profile");
	ERR("truncated UTF-8 at the end", H "args: [a\xe2\x82",
	    "t.yaml:3:9: invalid UTF-8 (byte 0xe2) is not allowed in a profile");
	ERR("bidi override U+202E", H "args: [a\xe2\x80\xae]\n",
	    "t.yaml:3:9: invisible or bidirectional formatting character (byte 0xe2) is not allowed in a profile");
	ERR("bidi override U+202E in a comment", H "# \xe2\x80\xae\n",
	    "t.yaml:3:3: invisible or bidirectional formatting character (byte 0xe2) is not allowed in a profile");
	ERR("BOM in the middle", H "\xef\xbb\xbfshared: [network]\n",
	    "t.yaml:3:1: invisible or bidirectional formatting character (byte 0xef) is not allowed in a profile");
	ERR("C1 control (CSI)", H "args: [\xc2\x9b]\n",
	    "t.yaml:3:8: invisible or bidirectional formatting character (byte 0xc2) is not allowed in a profile");
	/* Bugs reported against the loader; all but the leading BOM fixed since. */
	ERR("U+202E at the very start is refused too", "\xe2\x80\xae" H,
	    "t.yaml:1:1: invisible or bidirectional formatting character (byte 0xe2) is not allowed in a profile");
	ERR("U+202E through a \\u escape is refused like \\e", H "args: [\"a\\u202Eb\"]\n",
	    "t.yaml:3:8: invisible or bidirectional formatting character (U+202E) in value");
	ERR("C1 CSI through a \\x escape is refused", H "args: [\"\\x9b\"]\n",
	    "t.yaml:3:8: invisible or bidirectional formatting character (U+009B) in value");
	ERR("a newline quoted in a message cannot start a forged line", H "\"a\\nt.yaml: ok\": 1\n",
	    "t.yaml:3:1: unknown key 'a\\x0at.yaml: ok'");
	ERR("noncharacter U+FFFE through a \\u escape", H "args: [\"a\\uFFFE\"]\n", "t.yaml:3:8: noncharacter (U+FFFE) in value");
	ERR("NEL through \\N", H "args: [\"a\\Nb\"]\n",
	    "t.yaml:3:8: invisible or bidirectional formatting character (U+0085) in value");
	ERR("noncharacter U+FFFF gets a position", H "args: [a\xef\xbf\xbf]\n",
	    "t.yaml:3:9: noncharacter (byte 0xef) is not allowed in a profile");
	ERR("a document marker alone is an empty profile", "---\n", "t.yaml: the profile is empty");

	ERR("too deep", H "args: [[[[[[[[x]]]]]]]]\n", "t.yaml:3:14: nested too deeply (more than 8 levels)");
	ERR("one level less is a type error, not too deep", H "args: [[[[[[[x]]]]]]]\n",
	    "t.yaml:3:8: an argument must be a value, not a list");
	struct buf big = {0};
	buf_adds(&big, H "args: [");
	for (int i = 0; i < YAML_MAX_SCALAR + 1; i++)
		buf_addc(&big, 'a');
	buf_adds(&big, "]\n");
	ERR("too long scalar", big.s, "t.yaml:3:8: value too long (4097 bytes, at most 4096)");
	buf_clear(&big);
	buf_adds(&big, H "args: [");
	for (int i = 0; i < YAML_MAX_SCALAR; i++)
		buf_addc(&big, 'a');
	buf_adds(&big, "]\n");
	OK_APP("a scalar of exactly the limit", big.s);
	buf_clear(&big);
	buf_adds(&big, H "args: [a");
	for (int i = 0; i < YAML_MAX_NODES; i++)
		buf_adds(&big, ",a");
	buf_adds(&big, "]\n");
	ERR("too many nodes", big.s, "t.yaml:3:39994: too many nodes (more than 20000)");
	buf_clear(&big);
	buf_adds(&big, H);
	while (big.len <= YAML_MAX_FILE)
		buf_adds(&big, "# padding padding padding padding padding padding padding\n");
	cleanup_free char *want_big = xasprintf("t.yaml: file too large (%zu bytes, at most %d)", big.len, YAML_MAX_FILE);
	ERR("too large file", big.s, want_big);
	buf_clear(&big);
	ERR("empty profile", "", "t.yaml: the profile is empty");
	ERR("only comments", "# nothing\n", "t.yaml: the profile is empty");
	ERR("a list is not a profile", "- a\n", "t.yaml:1:1: a profile is a mapping of keys (app-id, command, ...), not a list");
	ERR("missing app-id", "command: /usr/bin/app\n", "t.yaml: missing required key 'app-id'");
	ERR("missing command", "app-id: org.example.App\n", "t.yaml: missing required key 'command'");
	OK_OVR("an override needs neither app-id nor command", "shared: [network]\n");
	ERR("syntax error", H "args: [a, b\n", "t.yaml:4:1: while parsing a flow sequence did not find expected ',' or ']'");
	ERR("complex key", H "? [a]\n: b\n", "t.yaml:3:3: keys must be plain text");
}

static void test_types(void)
{
	ERR("app-id list", "app-id: [a.b]\ncommand: /bin/sh\n", "t.yaml:1:9: app-id must be a value, not a list");
	ERR("app-id null", "app-id: ~\ncommand: /bin/sh\n", "t.yaml:1:9: app-id is empty");
	ERR("command mapping", "app-id: a.b.c\ncommand: {a: b}\n", "t.yaml:2:10: command must be a value, not a mapping");
	ERR("command empty", "app-id: a.b.c\ncommand:\n", "t.yaml:2:9: command is empty");
	ERR("args scalar", H "args: a b\n", "t.yaml:3:7: 'args' must be a list (e.g. args: [a, b]), not a value");
	ERR("args octal (YAML 1.1)", H "args: 0755\n", "t.yaml:3:7: 'args' must be a list (e.g. args: [a, b]), not a value");
	ERR("args item list", H "args: [[a]]\n", "t.yaml:3:8: an argument must be a value, not a list");
	ERR("args item null", H "args: [~]\n", "t.yaml:3:8: an argument is empty");
	ERR("shared: no (YAML 1.1)", H "shared: no\n", "t.yaml:3:9: 'shared' must be a list (e.g. shared: [a, b]), not a value");
	ERR("sockets: yes (YAML 1.1)", H "sockets: yes\n",
	    "t.yaml:3:10: 'sockets' must be a list (e.g. sockets: [a, b]), not a value");
	ERR("devices mapping", H "devices: {dri: true}\n",
	    "t.yaml:3:10: 'devices' must be a list (e.g. devices: [a, b]), not a mapping");
	ERR("features scalar", H "features: devel\n",
	    "t.yaml:3:11: 'features' must be a list (e.g. features: [a, b]), not a value");
	ERR("filesystems scalar", H "filesystems: home\n",
	    "t.yaml:3:14: 'filesystems' must be a list (e.g. filesystems: [a, b]), not a value");
	ERR("filesystems item mapping", H "filesystems: [{home: ro}]\n",
	    "t.yaml:3:15: a filesystem must be a value, not a mapping");
	ERR("persistent scalar", H "persistent: .mozilla\n",
	    "t.yaml:3:13: 'persistent' must be a list (e.g. persistent: [a, b]), not a value");
	ERR("environment list", H "environment: [A=b]\n",
	    "t.yaml:3:14: 'environment' must be a mapping (NAME: value), not a list");
	ERR("environment value list", H "environment:\n  A: [x]\n", "t.yaml:4:6: the value of A must be a value, not a list");
	ERR("environment value null", H "environment:\n  A:\n",
	    "t.yaml:4:5: A has no value; write \"\" for an empty one, or use unset-environment");
	ERR("unset-environment scalar", H "unset-environment: A\n",
	    "t.yaml:3:20: 'unset-environment' must be a list (e.g. unset-environment: [a, b]), not a value");
	ERR("session-bus list", H "session-bus: [org.example.Foo]\n",
	    "t.yaml:3:14: 'session-bus' must be a mapping with own, talk, see, call, broadcast");
	ERR("system-bus scalar", H "system-bus: x\n",
	    "t.yaml:3:13: 'system-bus' must be a mapping with own, talk, see, call, broadcast");
	ERR("talk scalar", H "session-bus:\n  talk: org.example.Foo\n",
	    "t.yaml:4:9: 'talk' must be a list (e.g. talk: [a, b]), not a value");
	ERR("unknown flag", H "shared: [network, netwrok]\n", "t.yaml:3:19: unknown shared 'netwrok' (known: network, ipc)");
	ERR("unknown device", H "devices: [gpu]\n", "t.yaml:3:11: unknown devices 'gpu' (known: dri, input, usb, kvm, shm, all)");
	ERR("env name", H "environment:\n  A-B: x\n", "t.yaml:4:3: 'A-B' is not a valid environment variable name");
	ERR("unset env name", H "unset-environment: [A=B]\n", "t.yaml:3:21: 'A=B' is not a valid environment variable name");
	ERR("persistent absolute", H "persistent: [/abs]\n",
	    "t.yaml:3:14: persistent path '/abs' must be relative to the home, without '..'");
	ERR("persistent ..", H "persistent: [a/../b]\n",
	    "t.yaml:3:14: persistent path 'a/../b' must be relative to the home, without '..'");
	ERR("persistent '' (the home itself)", H "persistent: [\"\"]\n",
	    "t.yaml:3:14: persistent path '' must be relative to the home, without '..'");
}

static void test_names_in_profiles(void)
{
	static const struct { const char *id, *why; } ids[] = {
		{"example", "needs at least three elements separated by '.' (e.g. org.example.App)"},
		{"org.example", "needs at least three elements separated by '.' (e.g. org.example.App)"},
		{"org..example", "has an empty element (leading, trailing or double '.')"},
		{".org.example", "has an empty element (leading, trailing or double '.')"},
		{"org.example.", "has an empty element (leading, trailing or double '.')"},
		{"org.3example", "has an element starting with a digit"},
		{"org.my-example.App", "may contain '-' only in its last element"},
		{"org.example.App!", "may contain only A-Z, a-z, 0-9 and '_'"},
		{"org.example.App;x", "may contain only A-Z, a-z, 0-9 and '_'"},
		{"\"org.exa\xc3\xa9mple.App\"", "may contain only A-Z, a-z, 0-9 and '_'"},
	};
	for (size_t i = 0; i < sizeof(ids) / sizeof(*ids); i++) {
		cleanup_free char *yaml = xasprintf("app-id: %s\ncommand: /bin/sh\n", ids[i].id);
		const char *shown = ids[i].id[0] == '"' ? NULL : ids[i].id;
		cleanup_free char *id = shown ? xstrdup(shown) : xstrndup(ids[i].id + 1, strlen(ids[i].id) - 2);
		cleanup_free char *want = xasprintf("t.yaml:1:9: app-id '%s' %s", id, ids[i].why);
		ERR(ids[i].why, yaml, want);
	}
	struct buf id = {0};
	buf_adds(&id, "app-id: org.example.");
	for (int i = 0; i < 243; i++)
		buf_addc(&id, 'a');
	buf_adds(&id, "\ncommand: /bin/sh\n");
	OK_APP("app-id of 255 bytes", id.s);
	buf_clear(&id);
	buf_adds(&id, "org.example.");
	for (int i = 0; i < 244; i++)
		buf_addc(&id, 'a');
	cleanup_free char *long_yaml = xasprintf("app-id: %s\ncommand: /bin/sh\n", id.s);
	cleanup_free char *long_want = xasprintf("t.yaml:1:9: app-id '%s' is longer than 255 bytes", id.s);
	ERR("app-id of 256 bytes", long_yaml, long_want);
	buf_clear(&id);
	ERR("keyfile injection in app-id", "app-id: \"org.example.App\\n[Context]\"\ncommand: /bin/sh\n",
	    "t.yaml:1:9: app-id 'org.example.App\\x0a[Context]' may contain only A-Z, a-z, 0-9 and '_'");

	ERR("command relative", "app-id: a.b.c\ncommand: sh\n", "t.yaml:2:10: command must be an absolute path without '..', got 'sh'");
	ERR("command is a bwrap option", "app-id: a.b.c\ncommand: --bind / /\n",
	    "t.yaml:2:10: command must be an absolute path without '..', got '--bind / /'");
	ERR("command with ..", "app-id: a.b.c\ncommand: /usr/bin/../../bin/sh\n",
	    "t.yaml:2:10: command must be an absolute path without '..', got '/usr/bin/../../bin/sh'");
	ERR("command ending in ..", "app-id: a.b.c\ncommand: /usr/bin/..\n",
	    "t.yaml:2:10: command must be an absolute path without '..', got '/usr/bin/..'");

	static const char *const reserved[] = {
		"/", "/usr", "/usr/lib", "/run", "/run/user/1000", "/proc/1", "/.flatpak-info",
		"/var/run/x", "/tmp", "/var", "/etc", "/sys/fs", "/run/flatpak", "/run/host",
		"/tmp/.X11-unix/X0", "/app", "/bin/sh", "/lib64",
	};
	for (size_t i = 0; i < sizeof(reserved) / sizeof(*reserved); i++) {
		cleanup_free char *yaml = xasprintf(H "filesystems: [\"%s:ro\"]\n", reserved[i]);
		cleanup_free char *want = xasprintf("t.yaml:3:15: filesystem '%s:ro': '%s' is on, under or above a path boxwrap reserves for the sandbox itself",
						    reserved[i], reserved[i]);
		cleanup_free char *what = xasprintf("reserved path %s", reserved[i]);
		ERR(what, yaml, want);
	}
	ERR("//usr is /usr", H "filesystems: [//usr/]\n",
	    "t.yaml:3:15: filesystem '//usr/': '/usr' is on, under or above a path boxwrap reserves for the sandbox itself");
	static const char *const dotdot[] = {"/lib64/..", "/dev/../dev", "~/../x", "~/a/..", "xdg-download/../..",
					     "xdg-run/../bus", "/home/../etc"};
	for (size_t i = 0; i < sizeof(dotdot) / sizeof(*dotdot); i++) {
		cleanup_free char *yaml = xasprintf(H "filesystems: [\"%s\"]\n", dotdot[i]);
		cleanup_free char *want = xasprintf("t.yaml:3:15: filesystem '%s': '..' is not allowed in a path", dotdot[i]);
		cleanup_free char *what = xasprintf("'..' in %s", dotdot[i]);
		ERR(what, yaml, want);
	}
	OK_APP("paths that are not reserved", H "filesystems: [/home/u, /opt, /srv, /tmp/x, /var/lib/x, /run/media, /media, /usrx]\n");
	ERR("unknown mode", H "filesystems: [\"home:rx\"]\n",
	    "t.yaml:3:15: filesystem 'home:rx': unknown access mode 'rx' (expected :ro, :rw or :create)");
	ERR("unknown base", H "filesystems: [relative]\n",
	    "t.yaml:3:15: filesystem 'relative': unknown filesystem 'relative' (expected host, host-os, host-etc, home, xdg-*, ~/PATH or /PATH)");
	ERR("unknown xdg dir", H "filesystems: [xdg-foo]\n", "t.yaml:3:15: filesystem 'xdg-foo': unknown XDG directory 'xdg-foo'");
	ERR("xdg-run without a name", H "filesystems: [xdg-run]\n", "t.yaml:3:15: filesystem 'xdg-run': xdg-run needs a name: xdg-run/NAME");
	ERR("control character in a path", H "filesystems: [\"/x\\ty\"]\n",
	    "t.yaml:3:15: filesystem '/x\\x09y': control characters are not allowed in a path");
	static const char *const run_never[] = {"bus", ".flatpak", "systemd/private", "at-spi/bus", "doc"};
	for (size_t i = 0; i < sizeof(run_never) / sizeof(*run_never); i++) {
		cleanup_free char *yaml = xasprintf(H "filesystems: [xdg-run/%s]\n", run_never[i]);
		cleanup_free char *want = xasprintf("t.yaml:3:15: filesystem 'xdg-run/%s': xdg-run/%.*s is reserved: it is the sandbox's own or reaches host services directly",
						    run_never[i], (int)strcspn(run_never[i], "/"), run_never[i]);
		cleanup_free char *what = xasprintf("xdg-run/%s is refused", run_never[i]);
		ERR(what, yaml, want);
	}
	OK_APP("xdg-run/pulse and xdg-run/pipewire-0 are fine", H "filesystems: [xdg-run/pulse, xdg-run/pipewire-0, xdg-run/busy]\n");

	static const struct { const char *rule, *want; } refused[] = {
		{"talk: [org.freedesktop.Flatpak]", "4:10: refusing talk 'org.freedesktop.Flatpak': runs commands on the host (HostCommand, Spawn)"},
		{"see: [org.freedesktop.Flatpak.Development]", "4:9: refusing see 'org.freedesktop.Flatpak.Development': runs commands on the host (HostCommand, Spawn)"},
		{"talk: [org.freedesktop.systemd1]", "4:10: refusing talk 'org.freedesktop.systemd1': runs commands on the host (StartTransientUnit)"},
		{"talk: [org.freedesktop.impl.portal.X]", "4:10: refusing talk 'org.freedesktop.impl.portal.X': portal back ends trust their callers; use org.freedesktop.portal.*"},
		{"talk: [ca.desrt.dconf]", "4:10: refusing talk 'ca.desrt.dconf': writes every application's settings"},
		{"talk: [org.gtk.vfs.Daemon]", "4:10: refusing talk 'org.gtk.vfs.Daemon': reads any host file through GVfs"},
		{"own: [org.freedesktop.portal.Desktop]", "4:9: refusing own 'org.freedesktop.portal.Desktop': owning a portal name would impersonate the portal to other apps"},
		{"talk: [org.freedesktop.*]", "4:10: refusing talk 'org.freedesktop.*': a wildcard must name at least three elements before '.*' (e.g. org.example.App.*)"},
		{"talk: [org.freedesktop.DBus]", "4:10: refusing talk 'org.freedesktop.DBus': the bus itself is always reachable, and may not be owned"},
		{"call: [org.freedesktop.systemd1=*]", "4:10: refusing call 'org.freedesktop.systemd1': runs commands on the host (StartTransientUnit)"},
		{"broadcast: [ca.desrt.dconf.*=*]", "4:15: refusing broadcast 'ca.desrt.dconf.*': writes every application's settings"},
		{"talk: [org.freedesktop.Flatpak.*]", "4:10: refusing talk 'org.freedesktop.Flatpak.*': runs commands on the host (HostCommand, Spawn)"},
		{"talk: [':1.42']", "4:10: bus name ':1.42' is a unique name; use a well-known name"},
		{"call: [org.example.Foo]", "4:10: 'call' rule 'org.example.Foo' must be NAME=[METHOD][@PATH]"},
	};
	for (size_t i = 0; i < sizeof(refused) / sizeof(*refused); i++) {
		cleanup_free char *yaml = xasprintf(H "session-bus:\n  %s\n", refused[i].rule);
		cleanup_free char *want = xasprintf("t.yaml:%s", refused[i].want);
		ERR(refused[i].rule, yaml, want);
		cleanup_free char *sys = xasprintf(H "system-bus:\n  %s\n", refused[i].rule);
		cleanup_free char *what = xasprintf("system-bus %s", refused[i].rule);
		ERR(what, sys, want);
	}
}

static void test_denials_and_reset(void)
{
	const char *deny = "'!' denials belong in overrides; a profile just leaves the permission out";
	cleanup_free char *w1 = xasprintf("t.yaml:3:10: %s", deny);
	cleanup_free char *w2 = xasprintf("t.yaml:3:15: %s", deny);
	cleanup_free char *w3 = xasprintf("t.yaml:4:10: %s", deny);
	ERR("'!network' in a profile", H "shared: ['!network']\n", w1);
	ERR("'!home' in a profile", H "filesystems: ['!home']\n", w2);
	ERR("'!name' on the bus in a profile", H "session-bus:\n  talk: ['!org.example.Foo']\n", w3);
	ERR("reset in a profile", H "shared: [reset]\n", "t.yaml:3:10: unknown shared 'reset' (known: network, ipc)");
	ERR("filesystems reset in a profile", H "filesystems: [reset]\n",
	    "t.yaml:3:15: filesystem 'reset': unknown filesystem 'reset' (expected host, host-os, host-etc, home, xdg-*, ~/PATH or /PATH)");

	struct policy p;
	const char *ovr = "shared: ['!network', ipc]\nsockets: [reset, wayland]\ndevices: ['!dri']\n"
			  "features: [reset]\nfilesystems: [reset, '!home', '!xdg-download/x:ro', ~/y]\n"
			  "session-bus:\n  talk: ['!org.freedesktop.Flatpak', org.example.Foo]\n"
			  "system-bus:\n  own: ['!org.example.Bar']\n";
	if (load_ok(ovr, PROFILE_OVERRIDE, &p, "an override with denials and resets")) {
		TAP_OK(p.shared.deny == SHARE_NETWORK && p.shared.grant == SHARE_IPC && !p.shared.reset,
		       "override: '!network' denies, ipc grants");
		TAP_OK(p.sockets.reset && p.sockets.grant == SOCK_WAYLAND, "override: sockets reset, then wayland");
		TAP_OK(p.devices.deny == DEV_DRI, "override: '!dri'");
		TAP_OK(p.features.reset && !p.features.grant, "override: features reset");
		TAP_OK(p.fs_reset && p.nfs == 3, "override: filesystems reset and three entries");
		if (p.nfs == 3) {
			TAP_OK(fs_is(&p.fs[0], FS_HOME, NULL, "", FS_RW, true), "override: '!home'");
			TAP_OK(fs_is(&p.fs[1], FS_XDG, "download", "x", FS_RO, true), "override: '!xdg-download/x:ro'");
			TAP_OK(fs_is(&p.fs[2], FS_HOME_REL, NULL, "y", FS_RW, false), "override: ~/y");
		}
		TAP_OK(STRV_IS(&p.session_bus.none, "org.freedesktop.Flatpak") &&
		       STRV_IS(&p.session_bus.talk, "org.example.Foo"),
		       "override: denying a refused name is fine");
		TAP_OK(STRV_IS(&p.system_bus.none, "org.example.Bar") && !p.system_bus.own.n, "override: system-bus denial");
		policy_free(&p);
	}
	ERR_OVR("overrides still refuse granting a refused name", "session-bus:\n  talk: [org.freedesktop.Flatpak]\n",
		"t.yaml:2:10: refusing talk 'org.freedesktop.Flatpak': runs commands on the host (HostCommand, Spawn)");
	ERR_OVR("overrides still refuse reserved paths", "filesystems: [/usr]\n",
		"t.yaml:1:15: filesystem '/usr': '/usr' is on, under or above a path boxwrap reserves for the sandbox itself");
	ERR_OVR("overrides are checked for YAML tricks too", "shared: &a [network]\n",
		"t.yaml:1:9: anchors are not allowed in a profile");
}

/* Merges the profile then the override; eff must be freed. */
static bool merged(const char *base, const char *ovr, struct policy *eff, const char *what)
{
	struct policy a, b;
	*eff = (struct policy){0};
	if (!load_ok(base, PROFILE_APP, &a, what))
		return false;
	if (!load_ok(ovr, PROFILE_OVERRIDE, &b, what)) {
		policy_free(&a);
		return false;
	}
	policy_merge(eff, &a);
	policy_merge(eff, &b);
	policy_free(&a);
	policy_free(&b);
	return true;
}

static int fs_find(const struct policy *p, const char *key)
{
	for (size_t i = 0; i < p->nfs; i++) {
		cleanup_free char *k = fs_grant_key(&p->fs[i]);
		if (!strcmp(k, key))
			return (int)i;
	}
	return -1;
}

static void test_merge(void)
{
	struct policy e;
	if (merged(H "filesystems: [xdg-download:ro, ~/Games]\nenvironment: {FOO: a, BAR: b}\nshared: [network]\n"
		     "session-bus:\n  talk: [org.example.Foo]\n",
		   "command: /usr/bin/other\nfilesystems: [xdg-download:rw]\nenvironment: {FOO: z}\nunset-environment: [BAR]\n"
		   "session-bus:\n  see: [org.example.Foo]\n",
		   &e, "later layer wins")) {
		int at = fs_find(&e, "xdg-download");
		TAP_OK(at >= 0 && e.fs[at].mode == FS_RW && e.nfs == 2, "merge: the override's mode replaces the profile's");
		TAP_STREQ(e.command, "/usr/bin/other", "merge: the override's command wins");
		TAP_STREQ(e.app_id, "org.example.App", "merge: app-id comes from the profile");
		int f = strv_find(&e.env_names, "FOO");
		TAP_OK(f >= 0 && !strcmp(e.env_values.v[f], "z"), "merge: the override's FOO wins");
		TAP_OK(strv_find(&e.env_names, "BAR") < 0 && strv_find(&e.unset_env, "BAR") >= 0,
		       "merge: unset-environment removes a lower variable");
		TAP_OK(flagset_value(&e.shared) == SHARE_NETWORK, "merge: lower grants survive an override that does not mention them");
		TAP_OK(STRV_IS(&e.session_bus.see, "org.example.Foo") && !e.session_bus.talk.n,
		       "merge: a bus name has one level, the override's");
		policy_free(&e);
	}
	if (merged(H "shared: [network, ipc]\nfilesystems: [~/Games, xdg-download:ro]\n"
		     "session-bus:\n  talk: [org.example.Foo, org.example.Bar]\n",
		   "shared: ['!network']\nfilesystems: ['!~/Games', '!xdg-download']\nsession-bus:\n  talk: ['!org.example.Foo']\n",
		   &e, "denials remove lower grants")) {
		TAP_OK(flagset_value(&e.shared) == SHARE_IPC, "merge: '!network' removes the profile's network");
		TAP_OK(fs_find(&e, "~/Games") < 0 && fs_find(&e, "xdg-download") < 0 && e.nfs == 0,
		       "merge: '!~/Games' and '!xdg-download' (any mode) remove the grants");
		TAP_OK(STRV_IS(&e.session_bus.talk, "org.example.Bar"), "merge: '!org.example.Foo' removes the bus grant");
		policy_free(&e);
	}
	if (merged(H, "shared: [network, '!network']\nsockets: ['!x11', x11]\nfilesystems: [~/x, '!~/x', '!~/y', ~/y]\n",
		   &e, "deny wins within a layer")) {
		TAP_OK(!(flagset_value(&e.shared) & SHARE_NETWORK), "merge: network and '!network' in one layer: denied");
		TAP_OK(!(flagset_value(&e.sockets) & SOCK_X11), "merge: '!x11' before x11 in one layer: denied");
		TAP_OK(fs_find(&e, "~/x") < 0 && fs_find(&e, "~/y") < 0, "merge: ~/x with '!~/x' in one layer, either order: denied");
		policy_free(&e);
	}
	if (merged(H "sockets: [x11, wayland]\nfilesystems: [home, ~/x]\ndevices: [dri]\n",
		   "sockets: [reset, pulseaudio]\nfilesystems: [reset, xdg-download]\ndevices: [kvm, reset]\n",
		   &e, "reset clears lower grants")) {
		TAP_OK(flagset_value(&e.sockets) == SOCK_PULSEAUDIO, "merge: sockets reset keeps only the override's");
		TAP_OK(e.nfs == 1 && fs_find(&e, "xdg-download") == 0, "merge: filesystems reset keeps only the override's");
		TAP_OK(flagset_value(&e.devices) == DEV_KVM, "merge: reset anywhere in the list keeps the layer's own grants");
		policy_free(&e);
	}
}

static void test_names(void)
{
	const char *why = NULL;
	static const char *const good[] = {"org.example.App", "org.example.My-App", "org._x.y", "a.b.c", "org.example.App_2",
					   "org.example.My-App-", "Org.Example.APP"};
	for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
		TAP_OK(app_id_valid(good[i], &why), "app_id_valid(%s)", good[i]);
	static const struct { const char *id, *why; } bad[] = {
		{"", "needs at least three elements separated by '.' (e.g. org.example.App)"},
		{"org", "needs at least three elements separated by '.' (e.g. org.example.App)"},
		{"a.b", "needs at least three elements separated by '.' (e.g. org.example.App)"},
		{"org.example-App", "needs at least three elements separated by '.' (e.g. org.example.App)"},
		{".a.b.c", "has an empty element (leading, trailing or double '.')"},
		{"a..b.c", "has an empty element (leading, trailing or double '.')"},
		{"a.b.c.", "has an empty element (leading, trailing or double '.')"},
		{".", "has an empty element (leading, trailing or double '.')"},
		{"0a.b.c", "has an element starting with a digit"},
		{"a.0b.c", "has an element starting with a digit"},
		{"a-b.c.d", "may contain '-' only in its last element"},
		{"a.b-c.d", "may contain '-' only in its last element"},
		{"a.b.b c", "may contain only A-Z, a-z, 0-9 and '_'"},
		{"a.b.b/c", "may contain only A-Z, a-z, 0-9 and '_'"},
		{"a.b.b\n", "may contain only A-Z, a-z, 0-9 and '_'"},
		{"a.b.\xc3\xa9", "may contain only A-Z, a-z, 0-9 and '_'"},
		{"a.b.b*", "may contain only A-Z, a-z, 0-9 and '_'"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
		why = NULL;
		bool v = app_id_valid(bad[i].id, &why);
		cleanup_free char *shown = escape_for_terminal(bad[i].id);
		TAP_OK(!v && why && !strcmp(why, bad[i].why), "app_id_valid('%s') is false: %s%s%s", shown, bad[i].why,
		       why && strcmp(why, bad[i].why) ? " -- got: " : "", why && strcmp(why, bad[i].why) ? why : "");
	}
	char id[300];
	memset(id, 'a', sizeof(id));
	id[1] = '.';
	id[3] = '.';
	id[255] = '\0';
	TAP_OK(app_id_valid(id, &why), "app_id_valid: 255 bytes is fine");
	id[255] = 'a';
	id[256] = '\0';
	TAP_OK(!app_id_valid(id, &why) && !strcmp(why, "is longer than 255 bytes"), "app_id_valid: 256 bytes is too long");
	TAP_OK(app_id_elements("a.b.c") == 3, "app_id_elements");

	/* The names an app id owns by default pass the profile rules' refusals. */
	static const struct { const char *id, *owns; } system_ids[] = {
		{"org.freedesktop.impl.portal", "org.freedesktop.impl.portal.*"},
		{"org.freedesktop.impl.portal.Secret", "org.freedesktop.impl.portal.Secret.*"},
		{"org.freedesktop.portal", "org.freedesktop.portal.*"},
		{"org.freedesktop.portal.Desktop", "org.freedesktop.portal.Desktop.*"},
		{"org.freedesktop.Flatpak", "org.freedesktop.Flatpak.*"},
		{"org.freedesktop.systemd1", "org.freedesktop.systemd1.*"},
		{"org.freedesktop.DBus", "org.freedesktop.DBus.*"},
		{"ca.desrt.dconf", "ca.desrt.dconf.*"},
		{"org.gtk.vfs", "org.gtk.vfs.*"},
	};
	for (size_t i = 0; i < sizeof(system_ids) / sizeof(*system_ids); i++) {
		cleanup_free char *problem = app_id_problem(system_ids[i].id);
		cleanup_free char *want = xasprintf("app-id '%s' would let the app own %s, which boxwrap refuses",
						    system_ids[i].id, system_ids[i].owns);
		TAP_OK(problem && !strncmp(problem, want, strlen(want)), "app_id_problem(%s): %s", system_ids[i].id,
		       problem ? problem : "(none)");
	}
	static const char *const fine_ids[] = {"org.freedesktop.Piper", "org.gnome.Totem", "org.mpris.Player"};
	for (size_t i = 0; i < sizeof(fine_ids) / sizeof(*fine_ids); i++) {
		cleanup_free char *problem = app_id_problem(fine_ids[i]);
		TAP_OK(!problem, "app_id_problem(%s) is NULL", fine_ids[i]);
	}
	cleanup_free char *two = app_id_problem("org.freedesktop");
	TAP_OK(two && strstr(two, "needs at least three elements"), "app_id_problem(org.freedesktop): three elements");

	TAP_OK(bus_name_valid("org.example.Foo-Bar.Baz", false, &why), "bus_name_valid: '-' anywhere in a bus name");
	TAP_OK(bus_name_valid("org.example.App.*", true, &why), "bus_name_valid: wildcard allowed");
	TAP_OK(!bus_name_valid("org.example.App.*", false, &why), "bus_name_valid: wildcard not allowed");
	TAP_OK(!bus_name_valid(":1.42", false, &why) && !strcmp(why, "is a unique name; use a well-known name"),
	       "bus_name_valid: unique names refused");
	TAP_OK(!bus_name_valid("org", false, &why), "bus_name_valid: one element");
	TAP_OK(!bus_name_valid("org.*", true, &why), "bus_name_valid: org.* is one element");
	TAP_OK(!bus_name_valid("org.ex*ample.A", true, &why), "bus_name_valid: '*' only as the last element");
	TAP_OK(!bus_name_valid("1org.a", false, &why), "bus_name_valid: element starting with a digit");
	memset(id, 'a', sizeof(id));
	id[1] = '.';
	id[256] = '\0';
	TAP_OK(!bus_name_valid(id, false, &why) && !strcmp(why, "is longer than 255 bytes"), "bus_name_valid: 256 bytes");

	static const char *const env_good[] = {"A", "_", "_A1", "PATH", "lower_case"};
	for (size_t i = 0; i < sizeof(env_good) / sizeof(*env_good); i++)
		TAP_OK(env_name_valid(env_good[i]), "env_name_valid(%s)", env_good[i]);
	static const char *const env_bad[] = {"", "1A", "A-B", "A=B", "A B", "\xc3\x84", "A\n", "A.B"};
	for (size_t i = 0; i < sizeof(env_bad) / sizeof(*env_bad); i++) {
		cleanup_free char *shown = escape_for_terminal(env_bad[i]);
		TAP_OK(!env_name_valid(env_bad[i]), "env_name_valid('%s') is false", shown);
	}

	static const char *const res[] = {
		"/", "/usr", "/usr/lib", "/usr/lib/x86_64-linux-gnu", "/run", "/run/user", "/run/user/1000",
		"/run/user/1000/bus", "/proc", "/proc/1", "/.flatpak-info", "/lib64", "/dev", "/dev/shm", "/var/run/x",
		"/var/run", "/var", "/var/lock", "/tmp", "/tmp/.X11-unix", "/tmp/.X11-unix/X0", "/etc", "/etc/passwd",
		"/sys", "/sys/fs/cgroup", "/bin", "/sbin", "/lib", "/lib32", "/libx32", "/app", "/run/flatpak",
		"/run/host", "/run/dbus", "/run/dbus/system_bus_socket",
	};
	for (size_t i = 0; i < sizeof(res) / sizeof(*res); i++)
		TAP_OK(fs_path_reserved(res[i]), "fs_path_reserved(%s)", res[i]);
	static const char *const free_[] = {
		"/home", "/home/u", "/opt", "/srv", "/media", "/mnt", "/tmp/x", "/var/lib", "/var/tmp", "/run/media",
		"/run/foo", "/usrx", "/procfs", "/devices", "/etcetera", "/run/users", "/tmp/.X11-unixx",
	};
	for (size_t i = 0; i < sizeof(free_) / sizeof(*free_); i++)
		TAP_OK(!fs_path_reserved(free_[i]), "!fs_path_reserved(%s)", free_[i]);

	TAP_OK(!bus_name_refused(BUS_TALK, "org.freedesktop.portal.Desktop"), "bus_name_refused: talking to a portal is fine");
	TAP_OK(bus_name_refused(BUS_OWN, "org.freedesktop.portal.Desktop") != NULL, "bus_name_refused: owning a portal is not");
	TAP_OK(bus_name_refused(BUS_SEE, "org.freedesktop.Flatpak") != NULL, "bus_name_refused: not even see Flatpak");
}

/* No raw control (newline included), DEL, C1 or format character survives
 * escaping: an escaped message is one printable line. */
static bool printable(const char *s)
{
	size_t len = strlen(s);
	for (size_t i = 0; i < len;) {
		unsigned char c = s[i];
		size_t n = utf8_sequence_length(s + i, len - i);
		if (c < 0x20 || c == 0x7f || n == 0 || (n > 1 && utf8_is_format_char(s + i, n)))
			return false;
		i += n;
	}
	return true;
}

static void test_escape(void)
{
	bool all_ok = true;
	for (int c = 1; c < 256; c++) {
		char s[4] = {'a', (char)c, 'b', '\0'};
		cleanup_free char *e = escape_for_terminal(s);
		all_ok &= printable(e);
	}
	TAP_OK(all_ok, "escape_for_terminal: every single byte comes out printable");
	static const char *const samples[] = {
		"plain", "a\\b", "a\\\\b", "\x1b[31m", "\\x1b[31m", "\n", "\\n", "\\x0a", "\t", "\\x09", "\x7f",
		"\\x7f", "\xe2\x80\xae", "\\xe2\\x80\\xae", "\xff", "\\xff", "\xc3\xa9", "\\xc3\\xa9", "\xc2\x9b",
		"\\xc2\\x9b", "\xef\xbb\xbf", "\xc0\xaf", "\\xc0\\xaf", "", "\\", "\\\\", "x\\", "x\\\\",
	};
	size_t n = sizeof(samples) / sizeof(*samples);
	char *out[sizeof(samples) / sizeof(*samples)];
	bool all_printable = true, injective = true;
	for (size_t i = 0; i < n; i++) {
		out[i] = escape_for_terminal(samples[i]);
		all_printable &= printable(out[i]);
	}
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (!strcmp(out[i], out[j])) {
				injective = false;
				printf("#   '%s' and '%s' escape alike\n", out[i], out[j]);
			}
	TAP_OK(all_printable, "escape_for_terminal: samples come out printable");
	TAP_OK(injective, "escape_for_terminal: distinct samples stay distinct");
	for (size_t i = 0; i < n; i++)
		free(out[i]);
	cleanup_free char *a = escape_for_terminal("\x1b[31mred\x7f");
	TAP_STREQ(a, "\\x1b[31mred\\x7f", "escape_for_terminal: ESC and DEL");
	cleanup_free char *b = escape_for_terminal("a\\x1b");
	TAP_STREQ(b, "a\\\\x1b", "escape_for_terminal: a backslash is doubled");
	cleanup_free char *c = escape_for_terminal("caf\xc3\xa9 \xe2\x80\xae \xff");
	TAP_STREQ(c, "caf\xc3\xa9 \\xe2\\x80\\xae \\xff", "escape_for_terminal: UTF-8 kept, bidi and invalid bytes escaped");
	cleanup_free char *d = escape_for_terminal("a\nb\tc");
	TAP_STREQ(d, "a\\x0ab\\x09c", "escape_for_terminal: newline and tab escaped, a message stays one line");
}

int main(void)
{
	test_fields();
	test_syntax_errors();
	test_types();
	test_names_in_profiles();
	test_denials_and_reset();
	test_merge();
	test_names();
	test_escape();
	return tap_done();
}
