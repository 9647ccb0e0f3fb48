// Byte scans the JSON reader runs over every string of every line, sixteen bytes a step with
// SSE2 (x86-64's baseline), which Swift's SIMD types do not compile to: their comparisons came
// out a byte at a time. Header-only static inline functions, no library: Swift inlines them.
// SwiftPM does not rebuild the Swift files that import this header when only it changes:
// touch them (Model's JSONParser.swift) or clean, or the build keeps the old scans.
#ifndef TASER_SCAN_H
#define TASER_SCAN_H
#include <stddef.h>
#include <stdint.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

/// The first position from `j` on in `p[0..<n]` whose byte is a quote, a backslash or below
/// 0x20 (what ends a JSON string's plain run); `n` when none is, `j` when it is not below `n`
/// (or is negative: nothing before `p` is read).
static inline ptrdiff_t taser_first_special(const uint8_t *p, ptrdiff_t j, ptrdiff_t n) {
    if (j < 0) return j;
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8(0x22), backslash = _mm_set1_epi8(0x5C), control = _mm_set1_epi8(0x1F);
    while (j <= n - 16) {
        __m128i x = _mm_loadu_si128((const __m128i *)(const void *)(p + j));
        // x <= 0x1F exactly when min(x, 0x1F) == x (bytes compared unsigned).
        __m128i found = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, backslash)),
                                     _mm_cmpeq_epi8(_mm_min_epu8(x, control), x));
        int mask = _mm_movemask_epi8(found);
        if (mask != 0) return j + __builtin_ctz((unsigned)mask);
        j += 16;
    }
#endif
    while (j < n && p[j] != 0x22 && p[j] != 0x5C && p[j] >= 0x20) j++;
    return j;
}

/// The first position from `j` on in `p[0..<n]` whose byte is a quote; `n` when none is, `j`
/// when it is not below `n` (or is negative).
static inline ptrdiff_t taser_first_quote(const uint8_t *p, ptrdiff_t j, ptrdiff_t n) {
    if (j < 0) return j;
#if defined(__SSE2__)
    const __m128i quote = _mm_set1_epi8(0x22);
    while (j <= n - 16) {
        int mask = _mm_movemask_epi8(_mm_cmpeq_epi8(_mm_loadu_si128((const __m128i *)(const void *)(p + j)), quote));
        if (mask != 0) return j + __builtin_ctz((unsigned)mask);
        j += 16;
    }
#endif
    while (j < n && p[j] != 0x22) j++;
    return j;
}
#endif
