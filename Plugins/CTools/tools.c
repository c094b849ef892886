/* The tools themselves: plain C functions, no knowledge of the host or JSON. */
#include "ctools.h"

#include <stdlib.h>
#include <string.h>

double ctools_add(double a, double b) {
    return a + b;
}

static int is_space(unsigned char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

int64_t ctools_word_count(const char *text) {
    int64_t words = 0;
    int in_word = 0;
    for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
        if (is_space(*p)) {
            in_word = 0;
        } else if (!in_word) {
            in_word = 1;
            words++;
        }
    }
    return words;
}

char *ctools_upper(const char *text) {
    size_t length = strlen(text);
    char *result = malloc(length + 1);
    if (!result) return NULL;
    for (size_t i = 0; i < length; i++) {
        char c = text[i];
        /* ASCII only: bytes of multi-byte UTF-8 sequences pass through intact. */
        result[i] = (c >= 'a' && c <= 'z') ? (char)(c - 'a' + 'A') : c;
    }
    result[length] = '\0';
    return result;
}

void ctools_free(char *text) {
    free(text);
}
