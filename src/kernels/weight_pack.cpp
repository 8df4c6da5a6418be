#include "kernels/weight_pack.hpp"

#include "common/intrinsics_warnings.hpp"
#include "common/parallel_region.hpp"

#include <cstdint>
#include <cstring>
#include <stdexcept>

#if defined(__AVX512F__) && defined(__AVX512BW__)
#include <immintrin.h>
#define MIXPREC_PACK_AVX512 1
#endif

namespace mixprec {
namespace {

constexpr int kPanel = 64;  // columns per panel, both layouts

int round_up(int x, int to) { return (x + to - 1) / to * to; }

// The layouts group values into 32-bit units along k: one 4-byte value, or a pair of
// 2-byte values (oneDNN's "2a" in BA16a64b2a). Other widths have no packed layout.
int values_per_unit(Format format) {
  const int bytes = traits(format).storage_bytes;
  if (bytes != 4 && bytes != 2)
    throw std::logic_error("pack_b: only 4- and 2-byte formats have a packed layout");
  return 4 / bytes;
}

// Offsets of the header's formulas, in values of the format.
std::size_t packed_offset(Format format, const PackedShape& s, int r, int c) {
  const std::size_t panel = std::size_t(c / kPanel) * std::size_t(s.k_pad) * kPanel;
  if (values_per_unit(format) == 1) return panel + std::size_t(r) * kPanel + std::size_t(c % kPanel);
  return panel + std::size_t(r / 2) * 2 * kPanel + std::size_t(c % kPanel) * 2 + std::size_t(r % 2);
}

// One value at a time, by bytes (memcpy: the storage types are not ours to alias).
void reference_bytes(const std::byte* src, bool transposed, const PackedShape& s, Format format,
                     std::byte* dst) {
  const std::size_t size = bytes_per_value(format);
  for (int r = 0; r < s.k_pad; ++r) {
    for (int c = 0; c < s.n_pad; ++c) {
      std::byte* out = dst + packed_offset(format, s, r, c) * size;
      if (r < s.k && c < s.n) {
        const std::size_t in = transposed ? std::size_t(c) * s.k + r : std::size_t(r) * s.n + c;
        std::memcpy(out, src + in * size, size);
      } else {
        std::memset(out, 0, size);
      }
    }
  }
}

#if MIXPREC_PACK_AVX512
// In place: rows[i] lane j <- rows[j] lane i, for 16 x 16 values of 32 bits.
inline void transpose_16x16(__m512i rows[16]) {
  __m512i t[16], q[16];
  for (int i = 0; i < 8; ++i) {
    t[2 * i] = _mm512_unpacklo_epi32(rows[2 * i], rows[2 * i + 1]);
    t[2 * i + 1] = _mm512_unpackhi_epi32(rows[2 * i], rows[2 * i + 1]);
  }
  // q[4i + m], 128-bit lane L: column 4L + m of rows 4i .. 4i+3
  for (int i = 0; i < 4; ++i) {
    q[4 * i + 0] = _mm512_unpacklo_epi64(t[4 * i], t[4 * i + 2]);
    q[4 * i + 1] = _mm512_unpackhi_epi64(t[4 * i], t[4 * i + 2]);
    q[4 * i + 2] = _mm512_unpacklo_epi64(t[4 * i + 1], t[4 * i + 3]);
    q[4 * i + 3] = _mm512_unpackhi_epi64(t[4 * i + 1], t[4 * i + 3]);
  }
  for (int m = 0; m < 4; ++m) {
    const __m512i even01 = _mm512_shuffle_i32x4(q[m], q[4 + m], 0x88);   // lanes 0,2 of each
    const __m512i odd01 = _mm512_shuffle_i32x4(q[m], q[4 + m], 0xdd);    // lanes 1,3
    const __m512i even23 = _mm512_shuffle_i32x4(q[8 + m], q[12 + m], 0x88);
    const __m512i odd23 = _mm512_shuffle_i32x4(q[8 + m], q[12 + m], 0xdd);
    rows[m] = _mm512_shuffle_i32x4(even01, even23, 0x88);
    rows[8 + m] = _mm512_shuffle_i32x4(even01, even23, 0xdd);
    rows[4 + m] = _mm512_shuffle_i32x4(odd01, odd23, 0x88);
    rows[12 + m] = _mm512_shuffle_i32x4(odd01, odd23, 0xdd);
  }
}
#endif

// b stored transposed, (n, k), seen as 32-bit units: an fp32 value, or a bf16 row pair
// (two consecutive k of one column, which is exactly the bf16 layout's unit).
//   dst[panel + u * 64 + j] = src[(panel column j) * units + u]
// Scalar accesses go through memcpy: a bf16 pair need not be 4-byte aligned, and the
// storage is not ours to alias (the vector loads and stores may alias by definition).
void pack_transposed_units(const void* source, int units, int n, int units_pad, void* dest) {
  const auto* src = static_cast<const std::byte*>(source);
  auto* dst = static_cast<std::byte*>(dest);
  const int panels = round_up(n, kPanel) / kPanel;
#pragma omp for schedule(static)
  for (int p = 0; p < panels; ++p) {
    std::byte* out = dst + std::size_t(p) * units_pad * kPanel * 4;
    for (int u0 = 0; u0 < units_pad; u0 += 16) {
      for (int g = 0; g < kPanel; g += 16) {
        const int c0 = p * kPanel + g;
#if MIXPREC_PACK_AVX512
        if (c0 + 16 <= n && u0 + 16 <= units) {
          __m512i rows[16];
          for (int j = 0; j < 16; ++j)
            rows[j] = _mm512_loadu_si512(src + (std::size_t(c0 + j) * units + u0) * 4);
          transpose_16x16(rows);
          for (int u = 0; u < 16; ++u)
            _mm512_storeu_si512(out + (std::size_t(u0 + u) * kPanel + g) * 4, rows[u]);
          continue;
        }
#endif
        for (int u = u0; u < u0 + 16; ++u) {
          for (int j = 0; j < 16; ++j) {
            std::byte* to = out + (std::size_t(u) * kPanel + g + j) * 4;
            if (c0 + j < n && u < units)
              std::memcpy(to, src + (std::size_t(c0 + j) * units + u) * 4, 4);
            else
              std::memset(to, 0, 4);
          }
        }
      }
    }
  }
}

// fp32 b stored (k, n): each panel row is 64 consecutive values of a row of b.
void pack_f32_plain(const float* src, const PackedShape& s, float* dst) {
  const int panels = s.n_pad / kPanel;
#pragma omp for schedule(static)
  for (int p = 0; p < panels; ++p) {
    float* out = dst + std::size_t(p) * s.k_pad * kPanel;
    const int width = std::min(kPanel, s.n - p * kPanel);
    for (int r = 0; r < s.k_pad; ++r) {
      float* row = out + std::size_t(r) * kPanel;
      int filled = 0;
      if (r < s.k) {
        std::memcpy(row, src + std::size_t(r) * s.n + std::size_t(p) * kPanel,
                    std::size_t(width) * sizeof(float));
        filled = width;
      }
      std::memset(row + filled, 0, std::size_t(kPanel - filled) * sizeof(float));
    }
  }
}

// bf16 b stored (k, n): rows 2q and 2q+1 interleaved value by value.
void pack_bf16_plain(const std::uint16_t* src, const PackedShape& s, std::uint16_t* dst) {
  const int panels = s.n_pad / kPanel;
#if MIXPREC_PACK_AVX512
  alignas(64) std::uint16_t lo_index[32], hi_index[32];
  for (int e = 0; e < 32; ++e) {
    lo_index[e] = std::uint16_t(e / 2 + (e % 2 ? 32 : 0));       // row 2q: 0..31, row 2q+1: 32..
    hi_index[e] = std::uint16_t(16 + e / 2 + (e % 2 ? 32 : 0));
  }
  const __m512i lo = _mm512_load_si512(lo_index), hi = _mm512_load_si512(hi_index);
#endif
#pragma omp for schedule(static)
  for (int p = 0; p < panels; ++p) {
    std::uint16_t* out = dst + std::size_t(p) * s.k_pad * kPanel;
    const int c0 = p * kPanel;
    for (int q = 0; q < s.k_pad / 2; ++q) {
      std::uint16_t* pair = out + std::size_t(q) * 2 * kPanel;
      const int r0 = 2 * q, r1 = 2 * q + 1;
#if MIXPREC_PACK_AVX512
      if (c0 + kPanel <= s.n && r1 < s.k) {
        const std::uint16_t* a = src + std::size_t(r0) * s.n + c0;
        const std::uint16_t* b = src + std::size_t(r1) * s.n + c0;
        for (int half = 0; half < 2; ++half) {
          const __m512i x = _mm512_loadu_si512(a + 32 * half);
          const __m512i y = _mm512_loadu_si512(b + 32 * half);
          _mm512_storeu_si512(pair + 64 * half, _mm512_permutex2var_epi16(x, lo, y));
          _mm512_storeu_si512(pair + 64 * half + 32, _mm512_permutex2var_epi16(x, hi, y));
        }
        continue;
      }
#endif
      for (int j = 0; j < kPanel; ++j) {
        const bool column = c0 + j < s.n;
        pair[2 * j] = (column && r0 < s.k) ? src[std::size_t(r0) * s.n + c0 + j] : 0;
        pair[2 * j + 1] = (column && r1 < s.k) ? src[std::size_t(r1) * s.n + c0 + j] : 0;
      }
    }
  }
}

}  // namespace

PackedShape packed_shape(Format format, int k, int n) {
  return {k, n, round_up(k, 16 * values_per_unit(format)), round_up(n, kPanel)};
}

void pack_b_reference(Format format, const void* src, bool transposed, int k, int n, void* dst) {
  const PackedShape s = packed_shape(format, k, n);
  reference_bytes(static_cast<const std::byte*>(src), transposed, s, format,
                  static_cast<std::byte*>(dst));
}

void pack_b(Format format, const void* src, bool transposed, int k, int n, void* dst) {
  run_shared(packed_shape(format, k, n).values(),
             [&] { pack_b_in_team(format, src, transposed, k, n, dst); });
}

void pack_b_in_team(Format format, const void* src, bool transposed, int k, int n, void* dst) {
  const PackedShape s = packed_shape(format, k, n);
  if (values_per_unit(format) == 1) {
    if (transposed)
      pack_transposed_units(src, k, n, s.k_pad, dst);
    else
      pack_f32_plain(static_cast<const float*>(src), s, static_cast<float*>(dst));
  } else if (!transposed) {
    pack_bf16_plain(static_cast<const std::uint16_t*>(src), s, static_cast<std::uint16_t*>(dst));
  } else if (k % 2 == 0) {
    // A source row of b^T holds k/2 whole row pairs, each one 32-bit unit of the layout.
    pack_transposed_units(src, k / 2, n, s.k_pad / 2, dst);
  } else {
#pragma omp single
    pack_b_reference(format, src, transposed, k, n, dst);  // odd k: pairs straddle rows
  }
}

}  // namespace mixprec
