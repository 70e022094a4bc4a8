#include "ofsted/normal_table.hpp"

#include <cmath>
#include <cstdint>

#include "admsim/samplers.hpp"
#include "random/simd.hpp"

#ifdef ADMSIM_X86_VECTORS
#include <immintrin.h>
#endif

namespace admsim::quality::detail {

NormalTable::NormalTable() : piece_(kPieces) {
  const double h = 1.0 / kKnotsPerUnit, density = 0.3989422804014327;  // 1 / sqrt(2 pi)
  for (std::size_t i = 0; i < kPieces; ++i) {
    const double x0 = kLow + double(i) * h, x1 = x0 + h;
    const double y0 = rng::normal_cdf(x0), y1 = rng::normal_cdf(x1);
    const double d0 = h * density * std::exp(-0.5 * x0 * x0), d1 = h * density * std::exp(-0.5 * x1 * x1);
    piece_[i] = {{y0, d0, 3.0 * (y1 - y0) - 2.0 * d0 - d1, 2.0 * (y0 - y1) + d0 + d1}};
  }
  width_ = simd::vector_width();
}

const NormalTable& NormalTable::get() {
  static const NormalTable table;
  return table;
}

namespace {
#ifdef ADMSIM_X86_VECTORS
// Both widths do, lane by lane, what operator() does: t = (x - low) 64; the piece is trunc(t)
// capped at the last (t is clamped to [0, last] first, which picks the same piece and keeps the
// index valid for any x); f = t - piece; Horner; then 0 where !(x > low), 1 where x >= high.
// Each piece is loaded whole and the loads transposed to one vector per coefficient (gathers are
// slower). The loops return how many leading values they did (a multiple of their width).

[[gnu::always_inline]] ADMSIM_TARGET_AVX2 inline __m256d cdf4(const double* table, __m256d x) {
  const __m256d low = _mm256_set1_pd(NormalTable::kLow);
  const __m256d t = _mm256_mul_pd(_mm256_sub_pd(x, low), _mm256_set1_pd(NormalTable::kKnotsPerUnit));
  const __m128i piece = _mm256_cvttpd_epi32(
      _mm256_min_pd(_mm256_max_pd(t, _mm256_setzero_pd()), _mm256_set1_pd(double(NormalTable::kPieces - 1))));
  const __m256d f = _mm256_sub_pd(t, _mm256_cvtepi32_pd(piece));
  alignas(16) std::int32_t at[4];  // offsets of the pieces' first coefficients
  _mm_store_si128(reinterpret_cast<__m128i*>(at), _mm_slli_epi32(piece, 2));
  const __m256d p0 = _mm256_load_pd(table + at[0]), p1 = _mm256_load_pd(table + at[1]);
  const __m256d p2 = _mm256_load_pd(table + at[2]), p3 = _mm256_load_pd(table + at[3]);
  const __m256d even01 = _mm256_unpacklo_pd(p0, p1), odd01 = _mm256_unpackhi_pd(p0, p1);  // c0 c0 c2 c2, c1 c1 c3 c3
  const __m256d even23 = _mm256_unpacklo_pd(p2, p3), odd23 = _mm256_unpackhi_pd(p2, p3);
  const __m256d c0 = _mm256_permute2f128_pd(even01, even23, 0x20), c2 = _mm256_permute2f128_pd(even01, even23, 0x31);
  const __m256d c1 = _mm256_permute2f128_pd(odd01, odd23, 0x20), c3 = _mm256_permute2f128_pd(odd01, odd23, 0x31);
  const __m256d v = _mm256_add_pd(c0, _mm256_mul_pd(f, _mm256_add_pd(c1, _mm256_mul_pd(f, _mm256_add_pd(c2, _mm256_mul_pd(f, c3))))));
  return _mm256_blendv_pd(_mm256_and_pd(v, _mm256_cmp_pd(x, low, _CMP_GT_OQ)), _mm256_set1_pd(1.0),
                          _mm256_cmp_pd(x, _mm256_set1_pd(NormalTable::kHigh), _CMP_GE_OQ));
}

ADMSIM_TARGET_AVX2 std::size_t cdf_avx2(const double* table, const double* x, double* y, std::size_t count) {
  std::size_t k = 0;
  for (; k + 4 <= count; k += 4) _mm256_storeu_pd(y + k, cdf4(table, _mm256_loadu_pd(x + k)));
  return k;
}

// The cells' loop keeps the last CDF value of the previous block in `below`'s top lane.
ADMSIM_TARGET_AVX2 std::size_t cells_avx2(const double* table, const double* edge, double mean, double inverse_sd,
                                   double* cell, std::size_t count, double& below) {
  const __m256d m = _mm256_set1_pd(mean), s = _mm256_set1_pd(inverse_sd);
  __m256d previous = _mm256_set1_pd(0.0);
  std::size_t k = 0;
  for (; k + 4 <= count; k += 4) {
    const __m256d at = cdf4(table, _mm256_mul_pd(_mm256_sub_pd(_mm256_loadu_pd(edge + k), m), s));
    // (previous[3], at[0], at[1], at[2]): each lane's lower edge.
    const __m256d lower = _mm256_blend_pd(_mm256_permute4x64_pd(at, 0x93), _mm256_permute4x64_pd(previous, 0x93), 1);
    _mm256_storeu_pd(cell + k, _mm256_sub_pd(at, lower));
    previous = at;
  }
  if (k > 0) below = _mm256_cvtsd_f64(_mm256_permute4x64_pd(previous, 0x03));
  return k;
}

// GCC 12's AVX-512 intrinsics pass an undefined vector as the unused merge source, which
// -Wmaybe-uninitialized (or -Wuninitialized, once inlined) reports inside its own headers.
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#pragma GCC diagnostic ignored "-Wuninitialized"
#endif
[[gnu::always_inline]] ADMSIM_TARGET_AVX512 inline __m512d cdf8(const double* table, __m512d x) {
  const __m512d low = _mm512_set1_pd(NormalTable::kLow);
  const __m512d t = _mm512_mul_pd(_mm512_sub_pd(x, low), _mm512_set1_pd(NormalTable::kKnotsPerUnit));
  const __m256i piece = _mm512_cvttpd_epi32(
      _mm512_min_pd(_mm512_max_pd(t, _mm512_setzero_pd()), _mm512_set1_pd(double(NormalTable::kPieces - 1))));
  const __m512d f = _mm512_sub_pd(t, _mm512_cvtepi32_pd(piece));
  alignas(32) std::int32_t at[8];
  _mm256_store_si256(reinterpret_cast<__m256i*>(at), _mm256_slli_epi32(piece, 2));
  __m512d p[4];  // p[q] holds the pieces of lanes q and q + 4
  for (int q = 0; q < 4; ++q) {
    p[q] = _mm512_insertf64x4(_mm512_castpd256_pd512(_mm256_load_pd(table + at[q])), _mm256_load_pd(table + at[q + 4]), 1);
  }
  // even01 = c0 c0 c2 c2 | c0 c0 c2 c2 of lanes 0 1 0 1 | 4 5 4 5; even23 likewise of 2 3 | 6 7;
  // lanes 0 1 8 9 4 5 12 13 of the pair are then c0 of lanes 0..7, lanes 2 3 10 11 6 7 14 15 c2.
  const __m512d even01 = _mm512_unpacklo_pd(p[0], p[1]), odd01 = _mm512_unpackhi_pd(p[0], p[1]);
  const __m512d even23 = _mm512_unpacklo_pd(p[2], p[3]), odd23 = _mm512_unpackhi_pd(p[2], p[3]);
  const __m512i first = _mm512_set_epi64(13, 12, 5, 4, 9, 8, 1, 0), second = _mm512_set_epi64(15, 14, 7, 6, 11, 10, 3, 2);
  const __m512d c0 = _mm512_permutex2var_pd(even01, first, even23), c2 = _mm512_permutex2var_pd(even01, second, even23);
  const __m512d c1 = _mm512_permutex2var_pd(odd01, first, odd23), c3 = _mm512_permutex2var_pd(odd01, second, odd23);
  const __m512d v = _mm512_add_pd(c0, _mm512_mul_pd(f, _mm512_add_pd(c1, _mm512_mul_pd(f, _mm512_add_pd(c2, _mm512_mul_pd(f, c3))))));
  return _mm512_mask_mov_pd(_mm512_maskz_mov_pd(_mm512_cmp_pd_mask(x, low, _CMP_GT_OQ), v),
                            _mm512_cmp_pd_mask(x, _mm512_set1_pd(NormalTable::kHigh), _CMP_GE_OQ), _mm512_set1_pd(1.0));
}

ADMSIM_TARGET_AVX512 std::size_t cdf_avx512(const double* table, const double* x, double* y, std::size_t count) {
  std::size_t k = 0;
  for (; k + 8 <= count; k += 8) _mm512_storeu_pd(y + k, cdf8(table, _mm512_loadu_pd(x + k)));
  return k;
}

ADMSIM_TARGET_AVX512 std::size_t cells_avx512(const double* table, const double* edge, double mean, double inverse_sd,
                                       double* cell, std::size_t count, double& below) {
  const __m512d m = _mm512_set1_pd(mean), s = _mm512_set1_pd(inverse_sd);
  __m512d previous = _mm512_setzero_pd();
  std::size_t k = 0;
  for (; k + 8 <= count; k += 8) {
    const __m512d at = cdf8(table, _mm512_mul_pd(_mm512_sub_pd(_mm512_loadu_pd(edge + k), m), s));
    // (previous[7], at[0..6]): each lane's lower edge.
    const __m512d lower = _mm512_castsi512_pd(_mm512_alignr_epi64(_mm512_castpd_si512(at), _mm512_castpd_si512(previous), 7));
    _mm512_storeu_pd(cell + k, _mm512_sub_pd(at, lower));
    previous = at;
  }
  if (k > 0) below = _mm512_cvtsd_f64(_mm512_permutexvar_pd(_mm512_set1_epi64(7), previous));
  return k;
}
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif
#endif
}  // namespace

void NormalTable::operator()(const double* x, double* y, std::size_t count) const noexcept {
  std::size_t done = 0;
#ifdef ADMSIM_X86_VECTORS
  const double* table = piece_.front().c;
  if (width_ == 8) done = cdf_avx512(table, x, y, count);
  else if (width_ == 4) done = cdf_avx2(table, x, y, count);
#endif
  for (; done < count; ++done) y[done] = (*this)(x[done]);
}

double NormalTable::cells(const double* edge, double mean, double inverse_sd, double* cell,
                          std::size_t count) const noexcept {
  double below = 0.0;
  std::size_t done = 0;
#ifdef ADMSIM_X86_VECTORS
  const double* table = piece_.front().c;
  if (width_ == 8) done = cells_avx512(table, edge, mean, inverse_sd, cell, count, below);
  else if (width_ == 4) done = cells_avx2(table, edge, mean, inverse_sd, cell, count, below);
#endif
  for (; done < count; ++done) {
    const double at = (*this)((edge[done] - mean) * inverse_sd);
    cell[done] = at - below;
    below = at;
  }
  return below;
}

}  // namespace admsim::quality::detail
