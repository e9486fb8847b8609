#include "yamltree.h"

#include <string.h>
#include <yaml.h>

#include "utf8.h"
#include "util.h"

struct reader {
	yaml_parser_t parser;
	struct diag *d;
	size_t nodes;
};

/* Refuses bytes libyaml would accept but a reviewer could not see:
 * NUL, control and format characters, invalid UTF-8. */
static bool check_bytes(const char *buf, size_t len, struct diag *d)
{
	int line = 1, col = 1;
	for (size_t i = 0; i < len;) {
		unsigned char c = buf[i];
		size_t n = utf8_sequence_length(buf + i, len - i);
		const char *what = NULL;
		if (c == 0)
			what = "NUL byte";
		else if (n == 0)
			what = "invalid UTF-8";
		else if (c == '\r' && (i + 1 >= len || buf[i + 1] != '\n'))
			what = "carriage return";
		else if ((c < 0x20 && c != '\n' && c != '\t' && c != '\r') || c == 0x7f)
			what = "control character";
		else if (n > 1 && utf8_is_format_char(buf + i, n) && !(i == 0 && n == 3 && !memcmp(buf, "\xef\xbb\xbf", 3)))
			what = "invisible or bidirectional formatting character";
		else if (n > 1 && utf8_is_noncharacter(buf + i, n))
			what = "noncharacter";
		if (what) {
			diag_at(d, line, col, "%s (byte 0x%02x) is not allowed in a profile", what, c);
			return false;
		}
		if (c == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
		i += n;
	}
	return true;
}

static void parser_error(struct reader *r)
{
	yaml_parser_t *p = &r->parser;
	yaml_mark_t m = p->problem_mark;
	const char *problem = p->problem ? p->problem : "malformed YAML";
	if (p->error == YAML_READER_ERROR)
		diag_at(r->d, 0, 0, "%s at byte %zu", problem, p->problem_offset);
	else if (p->context)
		diag_at(r->d, (int)m.line + 1, (int)m.column + 1, "%s %s", p->context, problem);
	else
		diag_at(r->d, (int)m.line + 1, (int)m.column + 1, "%s", problem);
}

static bool next_event(struct reader *r, yaml_event_t *ev)
{
	if (yaml_parser_parse(&r->parser, ev))
		return true;
	parser_error(r);
	return false;
}

static bool refuse_decorations(struct reader *r, const yaml_event_t *ev)
{
	const yaml_char_t *anchor = NULL, *tag = NULL;
	int line = (int)ev->start_mark.line + 1, col = (int)ev->start_mark.column + 1;
	switch (ev->type) {
	case YAML_ALIAS_EVENT:
		diag_at(r->d, line, col, "aliases are not allowed in a profile");
		return false;
	case YAML_SCALAR_EVENT:
		anchor = ev->data.scalar.anchor;
		tag = ev->data.scalar.tag;
		break;
	case YAML_SEQUENCE_START_EVENT:
		anchor = ev->data.sequence_start.anchor;
		tag = ev->data.sequence_start.tag;
		break;
	case YAML_MAPPING_START_EVENT:
		anchor = ev->data.mapping_start.anchor;
		tag = ev->data.mapping_start.tag;
		break;
	default:
		return true;
	}
	if (anchor) {
		diag_at(r->d, line, col, "anchors are not allowed in a profile");
		return false;
	}
	if (tag) {
		diag_at(r->d, line, col, "tags are not allowed in a profile");
		return false;
	}
	return true;
}

static struct ynode *new_node(struct reader *r, enum ynode_kind kind, const yaml_event_t *ev)
{
	if (++r->nodes > YAML_MAX_NODES) {
		diag_at(r->d, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
			"too many nodes (more than %d)", YAML_MAX_NODES);
		return NULL;
	}
	struct ynode *n = xcalloc(1, sizeof(*n));
	n->kind = kind;
	n->line = (int)ev->start_mark.line + 1;
	n->col = (int)ev->start_mark.column + 1;
	return n;
}

static void add_kid(struct ynode *parent, struct ynode *kid)
{
	parent->kids = xrealloc(parent->kids, (parent->n + 1) * sizeof(*parent->kids));
	parent->kids[parent->n++] = kid;
}

static struct ynode *scalar_node(struct reader *r, const yaml_event_t *ev)
{
	size_t len = ev->data.scalar.length;
	const char *v = (const char *)ev->data.scalar.value;
	if (len > YAML_MAX_SCALAR) {
		diag_at(r->d, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
			"value too long (%zu bytes, at most %d)", len, YAML_MAX_SCALAR);
		return NULL;
	}
	/* Escapes in double quotes can produce what check_bytes refused. */
	for (size_t i = 0, n; i < len; i += n) {
		unsigned char c = v[i];
		n = utf8_sequence_length(v + i, len - i);
		if (c == 0 || (c < 0x20 && c != '\n' && c != '\t') || c == 0x7f) {
			diag_at(r->d, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
				"control character (0x%02x) in value", c);
			return NULL;
		}
		if (n == 0) {
			diag_at(r->d, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
				"invalid UTF-8 in value");
			return NULL;
		}
		if (n > 1 && (utf8_is_format_char(v + i, n) || utf8_is_noncharacter(v + i, n))) {
			diag_at(r->d, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
				"%s (U+%04X) in value",
				utf8_is_noncharacter(v + i, n) ? "noncharacter"
							       : "invisible or bidirectional formatting character",
				utf8_decode(v + i, n));
			return NULL;
		}
	}
	struct ynode *n = new_node(r, Y_SCALAR, ev);
	if (!n)
		return NULL;
	n->str = xstrndup(v, len);
	n->plain = ev->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
	return n;
}

static bool same_key(const struct ynode *a, const struct ynode *b)
{
	return a->kind == Y_SCALAR && b->kind == Y_SCALAR && strcmp(a->str, b->str) == 0;
}

static bool check_key(struct reader *r, struct ynode *map, struct ynode *key)
{
	if (key->kind != Y_SCALAR) {
		diag_at(r->d, key->line, key->col, "keys must be plain text");
		return false;
	}
	if (key->plain && strcmp(key->str, "<<") == 0) {
		diag_at(r->d, key->line, key->col, "merge keys (<<) are not allowed in a profile");
		return false;
	}
	for (size_t i = 0; i < map->n; i += 2) {
		if (same_key(map->kids[i], key)) {
			diag_at(r->d, key->line, key->col, "duplicate key '%s' (first at line %d)",
				key->str, map->kids[i]->line);
			return false;
		}
	}
	return true;
}

static struct ynode *parse_node(struct reader *r, yaml_event_t *ev, int depth);

/* Reads children until the matching end event. */
static bool parse_children(struct reader *r, struct ynode *parent, int depth)
{
	for (;;) {
		yaml_event_t ev;
		if (!next_event(r, &ev))
			return false;
		if (ev.type == YAML_SEQUENCE_END_EVENT || ev.type == YAML_MAPPING_END_EVENT) {
			yaml_event_delete(&ev);
			return true;
		}
		struct ynode *kid = parse_node(r, &ev, depth + 1);
		yaml_event_delete(&ev);
		if (!kid)
			return false;
		bool is_key = parent->kind == Y_MAP && parent->n % 2 == 0;
		if (is_key && !check_key(r, parent, kid)) {
			ynode_free(kid);
			return false;
		}
		add_kid(parent, kid);
	}
}

static struct ynode *parse_node(struct reader *r, yaml_event_t *ev, int depth)
{
	if (!refuse_decorations(r, ev))
		return NULL;
	if (ev->type == YAML_SCALAR_EVENT)
		return scalar_node(r, ev);
	enum ynode_kind kind = ev->type == YAML_MAPPING_START_EVENT ? Y_MAP : Y_SEQ;
	if (depth >= YAML_MAX_DEPTH) {
		diag_at(r->d, (int)ev->start_mark.line + 1, (int)ev->start_mark.column + 1,
			"nested too deeply (more than %d levels)", YAML_MAX_DEPTH);
		return NULL;
	}
	struct ynode *n = new_node(r, kind, ev);
	if (n && !parse_children(r, n, depth)) {
		ynode_free(n);
		return NULL;
	}
	return n;
}

/* STREAM-START DOCUMENT-START node DOCUMENT-END (STREAM-END). */
static struct ynode *parse_stream(struct reader *r)
{
	yaml_event_t ev;
	struct ynode *root = NULL;
	if (!next_event(r, &ev))
		return NULL;
	yaml_event_delete(&ev); /* stream start */
	if (!next_event(r, &ev))
		return NULL;
	if (ev.type == YAML_STREAM_END_EVENT) {
		yaml_event_delete(&ev);
		diag_at(r->d, 0, 0, "the profile is empty");
		return NULL;
	}
	if (ev.data.document_start.version_directive || ev.data.document_start.tag_directives.start) {
		diag_at(r->d, (int)ev.start_mark.line + 1, (int)ev.start_mark.column + 1,
			"%%YAML and %%TAG directives are not allowed in a profile");
		yaml_event_delete(&ev);
		return NULL;
	}
	yaml_event_delete(&ev);
	if (!next_event(r, &ev))
		return NULL;
	root = parse_node(r, &ev, 0);
	yaml_event_delete(&ev);
	if (!root)
		return NULL;
	if (!next_event(r, &ev)) /* document end */
		goto fail;
	yaml_event_delete(&ev);
	if (!next_event(r, &ev))
		goto fail;
	if (ev.type != YAML_STREAM_END_EVENT) {
		diag_at(r->d, (int)ev.start_mark.line + 1, (int)ev.start_mark.column + 1,
			"a profile is one YAML document; found a second one");
		yaml_event_delete(&ev);
		goto fail;
	}
	yaml_event_delete(&ev);
	return root;
fail:
	ynode_free(root);
	return NULL;
}

struct ynode *ytree_parse(const char *buf, size_t len, struct diag *d)
{
	if (len > YAML_MAX_FILE) {
		diag_at(d, 0, 0, "file too large (%zu bytes, at most %d)", len, YAML_MAX_FILE);
		return NULL;
	}
	if (!check_bytes(buf, len, d))
		return NULL;
	/* libyaml skips a BOM but counts it as a column, which indents the
	 * first key: drop it here (check_bytes allowed it at byte 0 only). */
	if (len >= 3 && !memcmp(buf, "\xef\xbb\xbf", 3)) {
		buf += 3;
		len -= 3;
	}
	struct reader r = {.d = d};
	if (!yaml_parser_initialize(&r.parser))
		die_oom();
	yaml_parser_set_input_string(&r.parser, (const unsigned char *)buf, len);
	yaml_parser_set_encoding(&r.parser, YAML_UTF8_ENCODING);
	struct ynode *root = parse_stream(&r);
	yaml_parser_delete(&r.parser);
	return root;
}

void ynode_free(struct ynode *n)
{
	if (!n)
		return;
	for (size_t i = 0; i < n->n; i++)
		ynode_free(n->kids[i]);
	free(n->kids);
	free(n->str);
	free(n);
}

bool ynode_is_null(const struct ynode *n)
{
	if (n->kind != Y_SCALAR || !n->plain)
		return false;
	return !*n->str || !strcmp(n->str, "~") || !strcmp(n->str, "null") ||
	       !strcmp(n->str, "Null") || !strcmp(n->str, "NULL");
}
