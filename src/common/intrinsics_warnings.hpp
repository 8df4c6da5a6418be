#pragma once
// Include first in a .cpp file that inlines AVX-512 intrinsics: GCC 12 reports the
// intrinsics' own _mm512_undefined_*() placeholders as "maybe uninitialized" once they are
// inlined (GCC PR 105593). The warning is about the headers, not about our code.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
