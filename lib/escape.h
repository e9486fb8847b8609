/* Text for terminals: profile data may carry escape sequences that would
 * hide a permission when printed (CVE-2023-28101). */
#pragma once

/* Returns a copy where every byte < 0x20 (newline too: a message stays
 * one line), 0x7f, every byte
 * of an invalid UTF-8 sequence and of an invisible or bidirectional
 * formatting character is written as \xNN, and '\\' as "\\\\",
 * so the output is printable and the mapping is injective. */
char *escape_for_terminal(const char *s);
