/* A strict YAML subset read with libyaml's event API into a small tree:
 * one document of mappings, sequences and scalars. Anchors, aliases,
 * tags, merge keys, duplicate keys and deep nesting are refused here, so
 * what a reviewer reads is what boxwrap enforces. */
#pragma once
#include <stdbool.h>
#include <stddef.h>

#include "diag.h"

enum ynode_kind { Y_SCALAR, Y_SEQ, Y_MAP };

struct ynode {
	enum ynode_kind kind;
	int line, col;      /* 1-based position of the node */
	char *str;          /* scalar text, NUL-free (checked) */
	bool plain;         /* scalar was written without quotes */
	struct ynode **kids; /* seq: items; map: key, value, key, value... */
	size_t n;
};

#define YAML_MAX_DEPTH 8
#define YAML_MAX_NODES 20000
#define YAML_MAX_SCALAR 4096
#define YAML_MAX_FILE (256 * 1024)

/* Parses buf; on error adds diagnostics to d and returns NULL. */
struct ynode *ytree_parse(const char *buf, size_t len, struct diag *d);
void ynode_free(struct ynode *n);
/* True for an unquoted ~, null, Null, NULL or empty scalar. */
bool ynode_is_null(const struct ynode *n);
