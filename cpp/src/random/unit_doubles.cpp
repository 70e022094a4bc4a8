// detail::unit_doubles (random.hpp): a Stream's words to uniforms, 8 at a time in AVX-512 lanes
// (AVX512DQ's 64-bit integer to double conversion) where the CPU has them.

#include "admsim/random.hpp"
#include "random/simd.hpp"

#ifdef ADMSIM_X86_VECTORS
#include <immintrin.h>
#endif

namespace admsim::rng::detail {
namespace {

bool unit_scalar(const uint32_t* words, std::size_t count, double* out) noexcept {
  bool zero = false;
  for (std::size_t j = 0; j < count; ++j) {
    const uint64_t bits = ((uint64_t{words[2 * j + 1]} << 32) | words[2 * j]) >> 11;
    zero |= bits == 0;
    out[j] = to_unit(bits);
  }
  return zero;
}

#ifdef ADMSIM_X86_VECTORS
// Little-endian: words (lo, hi) read as one 64-bit lane are (hi << 32) | lo.
ADMSIM_TARGET_AVX512 bool unit_avx512(const uint32_t* words, std::size_t count,
                                      double* out) noexcept {
  const __m512d scale = _mm512_set1_pd(0x1p-53);
  __mmask8 zero = 0;
  std::size_t j = 0;
  for (; j + 8 <= count; j += 8) {
    const __m512i bits = _mm512_srli_epi64(_mm512_loadu_si512(words + 2 * j), 11);
    zero |= _mm512_testn_epi64_mask(bits, bits);
    _mm512_storeu_pd(out + j, _mm512_mul_pd(_mm512_cvtepi64_pd(bits), scale));
  }
  return unit_scalar(words + 2 * j, count - j, out + j) || zero != 0;
}
#endif

}  // namespace

bool unit_doubles(const uint32_t* words, std::size_t count, double* out) noexcept {
#ifdef ADMSIM_X86_VECTORS
  if (count >= 8 && simd::vector_width() == 8) return unit_avx512(words, count, out);
#endif
  return unit_scalar(words, count, out);
}

}  // namespace admsim::rng::detail
