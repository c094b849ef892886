/*
 * ctools.h — the C tools of the `c-tools` agent. The host calls them through
 * libffi, as described by the manifest in plugin.c: no JSON on this side.
 */
#ifndef CTOOLS_H
#define CTOOLS_H

#include <stdint.h>

/** add(double a, double b) -> double */
double ctools_add(double a, double b);

/** word_count(const char* text) -> int64: whitespace-separated words. */
int64_t ctools_word_count(const char *text);

/** upper(const char* text) -> char*: ASCII letters upper-cased; release with ctools_free. */
char *ctools_upper(const char *text);

/** Frees what ctools_upper returned; the host calls it after copying the result. */
void ctools_free(char *text);

#endif /* CTOOLS_H */
