// Many Philox4x32-10 blocks at once (random.hpp): eight blocks in the lanes of AVX2 registers, two
// such groups interleaved so that one group's multiplies fill the other's latency. The same
// arithmetic as philox4x32_10, lane by lane: 32x32 -> 64-bit products of the even lanes and of the
// odd lanes shifted down, their high and low halves blended back into 8 lanes.
#include <algorithm>
#include <array>
#include <cstdint>

#include "admsim/random.hpp"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <immintrin.h>
#define ADMSIM_PHILOX_AVX2 1
#endif

namespace admsim::rng {
namespace {

#ifdef ADMSIM_PHILOX_AVX2
struct Lanes {
  __m256i c0, c1, c2, c3;  // word i of 8 consecutive blocks
};

__attribute__((target("avx2"), always_inline)) inline Lanes lanes(const std::array<uint32_t, 4>& ctr,
                                                                   uint32_t first) {
  const __m256i block = _mm256_add_epi32(_mm256_set1_epi32(static_cast<int>(ctr[0] + first)),
                                         _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  return {block, _mm256_set1_epi32(static_cast<int>(ctr[1])), _mm256_set1_epi32(static_cast<int>(ctr[2])),
          _mm256_set1_epi32(static_cast<int>(ctr[3]))};
}

__attribute__((target("avx2"), always_inline)) inline void round(Lanes& l, __m256i k0, __m256i k1) {
  const __m256i m0 = _mm256_set1_epi64x(0xD2511F53u), m1 = _mm256_set1_epi64x(0xCD9E8D57u);
  const __m256i even0 = _mm256_mul_epu32(l.c0, m0), odd0 = _mm256_mul_epu32(_mm256_srli_epi64(l.c0, 32), m0);
  const __m256i even1 = _mm256_mul_epu32(l.c2, m1), odd1 = _mm256_mul_epu32(_mm256_srli_epi64(l.c2, 32), m1);
  const __m256i hi0 = _mm256_blend_epi32(_mm256_srli_epi64(even0, 32), odd0, 0xAA);
  const __m256i lo0 = _mm256_blend_epi32(even0, _mm256_slli_epi64(odd0, 32), 0xAA);
  const __m256i hi1 = _mm256_blend_epi32(_mm256_srli_epi64(even1, 32), odd1, 0xAA);
  const __m256i lo1 = _mm256_blend_epi32(even1, _mm256_slli_epi64(odd1, 32), 0xAA);
  l.c0 = _mm256_xor_si256(_mm256_xor_si256(hi1, l.c1), k0);
  l.c2 = _mm256_xor_si256(_mm256_xor_si256(hi0, l.c3), k1);
  l.c1 = lo1;
  l.c3 = lo0;
}

// Blocks {blocks[i], ctr[1], streams[i], ctr[3]} for i < 8: 8 blocks of any of a month's streams.
__attribute__((target("avx2"), always_inline)) inline Lanes stream_lanes(const std::array<uint32_t, 4>& ctr,
                                                                          const uint32_t* blocks,
                                                                          const uint32_t* streams) {
  return {_mm256_loadu_si256(reinterpret_cast<const __m256i*>(blocks)), _mm256_set1_epi32(static_cast<int>(ctr[1])),
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(streams)),
          _mm256_set1_epi32(static_cast<int>(ctr[3]))};
}

// Words by lane (structure of arrays) to blocks of four words, block by block.
__attribute__((target("avx2"), always_inline)) inline void store(const Lanes& l, uint32_t* out) {
  const __m256i t0 = _mm256_unpacklo_epi32(l.c0, l.c1), t1 = _mm256_unpackhi_epi32(l.c0, l.c1);
  const __m256i t2 = _mm256_unpacklo_epi32(l.c2, l.c3), t3 = _mm256_unpackhi_epi32(l.c2, l.c3);
  const __m256i b04 = _mm256_unpacklo_epi64(t0, t2), b15 = _mm256_unpackhi_epi64(t0, t2);
  const __m256i b26 = _mm256_unpacklo_epi64(t1, t3), b37 = _mm256_unpackhi_epi64(t1, t3);
  auto* o = reinterpret_cast<__m256i*>(out);
  _mm256_storeu_si256(o + 0, _mm256_permute2x128_si256(b04, b15, 0x20));
  _mm256_storeu_si256(o + 1, _mm256_permute2x128_si256(b26, b37, 0x20));
  _mm256_storeu_si256(o + 2, _mm256_permute2x128_si256(b04, b15, 0x31));
  _mm256_storeu_si256(o + 3, _mm256_permute2x128_si256(b26, b37, 0x31));
}

// The 10 rounds on one group of lanes, or on two interleaved.
__attribute__((target("avx2"), always_inline)) inline void rounds(Lanes& a, Lanes& b, bool two,
                                                                  const std::array<uint32_t, 2>& key) {
  uint32_t k0 = key[0], k1 = key[1];
  for (int r = 0; r < 10; ++r) {
    if (r > 0) {
      k0 += 0x9E3779B9u;
      k1 += 0xBB67AE85u;
    }
    const __m256i key0 = _mm256_set1_epi32(static_cast<int>(k0)), key1 = _mm256_set1_epi32(static_cast<int>(k1));
    round(a, key0, key1);
    if (two) round(b, key0, key1);
  }
}

__attribute__((target("avx2"))) void avx2_blocks(const std::array<uint32_t, 4>& ctr,
                                                 const std::array<uint32_t, 2>& key, uint32_t* out,
                                                 unsigned count) noexcept {
  Lanes a = lanes(ctr, 0), b = lanes(ctr, 8);
  const bool two = count == 16;
  rounds(a, b, two, key);
  store(a, out);
  if (two) store(b, out + 32);
}

__attribute__((target("avx2"))) void avx2_stream_blocks(const std::array<uint32_t, 4>& ctr,
                                                        const std::array<uint32_t, 2>& key,
                                                        const uint32_t* block_words,
                                                        const uint32_t* stream_words, uint32_t* out,
                                                        unsigned count) noexcept {
  uint32_t blocks_at[16] = {}, streams[16] = {}, made[64];
  std::copy_n(block_words, count, blocks_at);
  std::copy_n(stream_words, count, streams);
  Lanes a = stream_lanes(ctr, blocks_at, streams), b = stream_lanes(ctr, blocks_at + 8, streams + 8);
  const bool two = count > 8;
  rounds(a, b, two, key);
  if (count == 16) return store(a, out), store(b, out + 32);  // whole: straight to out
  store(a, made);
  if (two) store(b, made + 32);
  std::copy_n(made, 4 * count, out);
}

#endif

// Checked on first use (a function-local static: safe from static initialisers and threads).
bool have_avx2() noexcept {
#ifdef ADMSIM_PHILOX_AVX2
  static const bool avx2 = __builtin_cpu_supports("avx2");
  return avx2;
#else
  return false;
#endif
}

}  // namespace

namespace detail {

void philox4x32_10_blocks_scalar(const std::array<uint32_t, 4>& ctr, const std::array<uint32_t, 2>& key,
                                 uint32_t* out, unsigned count) noexcept {
  std::array<uint32_t, 4> c = ctr;
  for (unsigned j = 0; j < count; ++j, ++c[0]) {
    const auto b = philox4x32_10(c, key);
    for (unsigned i = 0; i < 4; ++i) out[4 * j + i] = b[i];
  }
}

void philox4x32_10_streams_scalar(const std::array<uint32_t, 4>& ctr, const std::array<uint32_t, 2>& key,
                                  const uint32_t* block_words, const uint32_t* stream_words, uint32_t* out,
                                  unsigned count) noexcept {
  for (unsigned i = 0; i < count; ++i) {
    const auto b = philox4x32_10({block_words[i], ctr[1], stream_words[i], ctr[3]}, key);
    std::copy(b.begin(), b.end(), out + 4 * i);
  }
}

}  // namespace detail

void philox4x32_10_blocks(const std::array<uint32_t, 4>& ctr, const std::array<uint32_t, 2>& key,
                          uint32_t* out, unsigned count) noexcept {
#ifdef ADMSIM_PHILOX_AVX2
  if ((count == 8 || count == 16) && have_avx2()) return avx2_blocks(ctr, key, out, count);
#endif
  detail::philox4x32_10_blocks_scalar(ctr, key, out, count);
}

void philox4x32_10_streams(const std::array<uint32_t, 4>& ctr, const std::array<uint32_t, 2>& key,
                           const uint32_t* block_words, const uint32_t* stream_words, uint32_t* out,
                           unsigned count) noexcept {
  for (unsigned done = 0; done < count; done += 16) {
    const unsigned n = std::min(16u, count - done);
#ifdef ADMSIM_PHILOX_AVX2
    if (have_avx2()) {
      avx2_stream_blocks(ctr, key, block_words + done, stream_words + done, out + 4 * done, n);
      continue;
    }
#endif
    detail::philox4x32_10_streams_scalar(ctr, key, block_words + done, stream_words + done, out + 4 * done, n);
  }
}

static_assert(kPhiloxBatch == 16, "avx2_blocks makes 8 or 16 blocks");
unsigned philox4x32_10_batch() noexcept { return have_avx2() ? kPhiloxBatch : 1u; }

}  // namespace admsim::rng
