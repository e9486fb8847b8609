/* Text for terminals: profile data may carry escape sequences that would
 * hide a permission when printed (CVE-2023-28101). */
#pragma once
#include <stdbool.h>
#include <stddef.h>

/* Returns a copy where every byte < 0x20 (newline too: a message stays
 * one line), 0x7f, every byte
 * of an invalid UTF-8 sequence and of an invisible or bidirectional
 * formatting character is written as \xNN, and '\\' as "\\\\",
 * so the output is printable and the mapping is injective. */
char *escape_for_terminal(const char *s);

/* The one routine for text that reaches a comment or any plain-text line
 * of an emitted launcher or an exported file (desktop entries, service
 * files): the escape_for_terminal form, so no line break and no control
 * character can come out, and a name cannot add a line of its own (a
 * quoted newline still ends a sh comment). sh words go through sh_quote
 * instead, Exec values through desktop_exec_quote. */
char *one_line(const char *s);
/* True if s has a byte < 0x20 or 0x7f: names (profile and desktop file
 * names, app ids) with one are refused. */
bool has_control_char(const char *s);
/* The same for the n bytes at s: a line copied as it is into an exported
 * file must pass it (lib/desktop.c). */
bool span_has_control_char(const char *s, size_t n);
