// Many Philox4x32-10 blocks at once (random.hpp): eight blocks in the lanes of AVX2 registers, or
// sixteen in AVX-512's, two such groups interleaved so that one group's multiplies fill the
// other's latency. The same arithmetic as philox4x32_10, lane by lane: 32x32 -> 64-bit products of
// the even lanes and of the odd lanes shifted down, their high and low halves put back into the
// lanes. AVX-512 does a round of 16 blocks in 12 instructions where AVX2 takes 36 (one shuffle
// under a mask per half, one three-way XOR per word).
#include <algorithm>
#include <array>
#include <cstdint>

#include "admsim/random.hpp"
#include "random/simd.hpp"

#ifdef ADMSIM_X86_VECTORS
#include <immintrin.h>
#endif

namespace admsim::rng {
namespace {

using detail::PhiloxLanes;

#ifdef ADMSIM_X86_VECTORS
struct Lanes {
  __m256i c0, c1, c2, c3;  // word i of 8 consecutive blocks
};

[[gnu::always_inline]] ADMSIM_TARGET_AVX2 inline Lanes lanes(const std::array<uint32_t, 4>& ctr,
                                                             uint32_t first) {
  const __m256i block = _mm256_add_epi32(_mm256_set1_epi32(static_cast<int>(ctr[0] + first)),
                                         _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7));
  return {block, _mm256_set1_epi32(static_cast<int>(ctr[1])), _mm256_set1_epi32(static_cast<int>(ctr[2])),
          _mm256_set1_epi32(static_cast<int>(ctr[3]))};
}

[[gnu::always_inline]] ADMSIM_TARGET_AVX2 inline void round(Lanes& l, __m256i k0, __m256i k1) {
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
[[gnu::always_inline]] ADMSIM_TARGET_AVX2 inline Lanes stream_lanes(const std::array<uint32_t, 4>& ctr,
                                                                    const uint32_t* blocks,
                                                                    const uint32_t* streams) {
  return {_mm256_loadu_si256(reinterpret_cast<const __m256i*>(blocks)), _mm256_set1_epi32(static_cast<int>(ctr[1])),
          _mm256_loadu_si256(reinterpret_cast<const __m256i*>(streams)),
          _mm256_set1_epi32(static_cast<int>(ctr[3]))};
}

// Words by lane (structure of arrays) to blocks of four words, block by block.
[[gnu::always_inline]] ADMSIM_TARGET_AVX2 inline void store(const Lanes& l, uint32_t* out) {
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
[[gnu::always_inline]] ADMSIM_TARGET_AVX2 inline void rounds(Lanes& a, Lanes& b, bool two,
                                                             const std::array<uint32_t, 2>& key) {
  for (uint32_t r = 0; r < 10; ++r) {
    const auto k = philox_round_key(key, r);
    const __m256i k0 = _mm256_set1_epi32(static_cast<int>(k[0])), k1 = _mm256_set1_epi32(static_cast<int>(k[1]));
    round(a, k0, k1);
    if (two) round(b, k0, k1);
  }
}

ADMSIM_TARGET_AVX2 void avx2_blocks(const std::array<uint32_t, 4>& ctr,
                                    const std::array<uint32_t, 2>& key, uint32_t* out,
                                    unsigned count) noexcept {
  Lanes a = lanes(ctr, 0), b = lanes(ctr, 8);
  const bool two = count == 16;
  rounds(a, b, two, key);
  store(a, out);
  if (two) store(b, out + 32);
}

ADMSIM_TARGET_AVX2 void avx2_stream_blocks(const std::array<uint32_t, 4>& ctr,
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

// AVX-512: 16 blocks a register.
struct Lanes16 {
  __m512i c0, c1, c2, c3;  // word i of 16 blocks
};

[[gnu::always_inline]] ADMSIM_TARGET_AVX512 inline void round(Lanes16& l, __m512i k0, __m512i k1) {
  const __m512i m0 = _mm512_set1_epi64(0xD2511F53u), m1 = _mm512_set1_epi64(0xCD9E8D57u);
  const __m512i even0 = _mm512_mul_epu32(l.c0, m0), odd0 = _mm512_mul_epu32(_mm512_srli_epi64(l.c0, 32), m0);
  const __m512i even1 = _mm512_mul_epu32(l.c2, m1), odd1 = _mm512_mul_epu32(_mm512_srli_epi64(l.c2, 32), m1);
  // Lane 2i's product is in even's 64-bit lane i, lane 2i + 1's in odd's: the high words are
  // even's swapped down into the even lanes beside odd's own, the low words odd's swapped up.
  const __m512i hi0 = _mm512_mask_shuffle_epi32(odd0, 0x5555, even0, _MM_PERM_CDAB);
  const __m512i lo0 = _mm512_mask_shuffle_epi32(even0, 0xAAAA, odd0, _MM_PERM_CDAB);
  const __m512i hi1 = _mm512_mask_shuffle_epi32(odd1, 0x5555, even1, _MM_PERM_CDAB);
  const __m512i lo1 = _mm512_mask_shuffle_epi32(even1, 0xAAAA, odd1, _MM_PERM_CDAB);
  l.c0 = _mm512_ternarylogic_epi32(hi1, l.c1, k0, 0x96);  // hi1 ^ c1 ^ k0
  l.c2 = _mm512_ternarylogic_epi32(hi0, l.c3, k1, 0x96);
  l.c1 = lo1;
  l.c3 = lo0;
}

[[gnu::always_inline]] ADMSIM_TARGET_AVX512 inline void rounds(Lanes16& a, Lanes16& b, bool two,
                                                               const std::array<uint32_t, 2>& key) {
  for (uint32_t r = 0; r < 10; ++r) {
    const auto k = philox_round_key(key, r);
    const __m512i k0 = _mm512_set1_epi32(static_cast<int>(k[0])), k1 = _mm512_set1_epi32(static_cast<int>(k[1]));
    round(a, k0, k1);
    if (two) round(b, k0, k1);
  }
}

// Words by lane to blocks of four words: within each 128-bit quarter q, block 4q + x gathered into
// b[x]'s quarter q, then the 4 x 4 quarters transposed.
[[gnu::always_inline]] ADMSIM_TARGET_AVX512 inline void store(const Lanes16& l, uint32_t* out) {
  const __m512i t0 = _mm512_unpacklo_epi32(l.c0, l.c1), t1 = _mm512_unpackhi_epi32(l.c0, l.c1);
  const __m512i t2 = _mm512_unpacklo_epi32(l.c2, l.c3), t3 = _mm512_unpackhi_epi32(l.c2, l.c3);
  const __m512i b0 = _mm512_unpacklo_epi64(t0, t2), b1 = _mm512_unpackhi_epi64(t0, t2);
  const __m512i b2 = _mm512_unpacklo_epi64(t1, t3), b3 = _mm512_unpackhi_epi64(t1, t3);
  const __m512i u0 = _mm512_shuffle_i32x4(b0, b1, 0x44), u1 = _mm512_shuffle_i32x4(b0, b1, 0xEE);
  const __m512i u2 = _mm512_shuffle_i32x4(b2, b3, 0x44), u3 = _mm512_shuffle_i32x4(b2, b3, 0xEE);
  _mm512_storeu_si512(out + 0, _mm512_shuffle_i32x4(u0, u2, 0x88));
  _mm512_storeu_si512(out + 16, _mm512_shuffle_i32x4(u0, u2, 0xDD));
  _mm512_storeu_si512(out + 32, _mm512_shuffle_i32x4(u1, u3, 0x88));
  _mm512_storeu_si512(out + 48, _mm512_shuffle_i32x4(u1, u3, 0xDD));
}

ADMSIM_TARGET_AVX512 void avx512_blocks(const std::array<uint32_t, 4>& ctr,
                                        const std::array<uint32_t, 2>& key, uint32_t* out) noexcept {
  Lanes16 a{_mm512_add_epi32(_mm512_set1_epi32(static_cast<int>(ctr[0])),
                             _mm512_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15)),
            _mm512_set1_epi32(static_cast<int>(ctr[1])), _mm512_set1_epi32(static_cast<int>(ctr[2])),
            _mm512_set1_epi32(static_cast<int>(ctr[3]))};
  rounds(a, a, false, key);
  store(a, out);
}

// Up to 32 blocks of a month's streams, as avx2_stream_blocks.
ADMSIM_TARGET_AVX512 void avx512_stream_blocks(const std::array<uint32_t, 4>& ctr,
                                               const std::array<uint32_t, 2>& key,
                                               const uint32_t* block_words,
                                               const uint32_t* stream_words, uint32_t* out,
                                               unsigned count) noexcept {
  uint32_t blocks_at[32] = {}, streams[32] = {}, made[128];
  std::copy_n(block_words, count, blocks_at);
  std::copy_n(stream_words, count, streams);
  const __m512i c1 = _mm512_set1_epi32(static_cast<int>(ctr[1])), c3 = _mm512_set1_epi32(static_cast<int>(ctr[3]));
  Lanes16 a{_mm512_loadu_si512(blocks_at), c1, _mm512_loadu_si512(streams), c3};
  Lanes16 b{_mm512_loadu_si512(blocks_at + 16), c1, _mm512_loadu_si512(streams + 16), c3};
  const bool two = count > 16;
  rounds(a, b, two, key);
  if (count == 32) return store(a, out), store(b, out + 64);  // whole: straight to out
  store(a, made);
  if (two) store(b, made + 64);
  std::copy_n(made, 4 * count, out);
}

#endif

bool cpu_has(PhiloxLanes lanes) noexcept {
  const int width = simd::vector_width();
  return lanes == PhiloxLanes::scalar || (lanes == PhiloxLanes::avx2 && width >= 4) ||
         (lanes == PhiloxLanes::avx512 && width >= 8);
}

void blocks_scalar(std::array<uint32_t, 4> c, const std::array<uint32_t, 2>& key, uint32_t* out,
                   unsigned count) noexcept {
  for (unsigned j = 0; j < count; ++j, ++c[0]) {
    const auto b = philox4x32_10(c, key);
    std::copy(b.begin(), b.end(), out + 4 * j);
  }
}

void streams_scalar(const std::array<uint32_t, 4>& ctr, const std::array<uint32_t, 2>& key,
                    const uint32_t* block_words, const uint32_t* stream_words, uint32_t* out,
                    unsigned count) noexcept {
  for (unsigned i = 0; i < count; ++i) {
    const auto b = philox4x32_10({block_words[i], ctr[1], stream_words[i], ctr[3]}, key);
    std::copy(b.begin(), b.end(), out + 4 * i);
  }
}

// The blocks in lanes the CPU has (the callers check).
void blocks_in(PhiloxLanes lanes, const std::array<uint32_t, 4>& ctr, const std::array<uint32_t, 2>& key,
               uint32_t* out, unsigned count) noexcept {
#ifdef ADMSIM_X86_VECTORS
  if (lanes == PhiloxLanes::avx512 && count == 16) return avx512_blocks(ctr, key, out);
  if (lanes != PhiloxLanes::scalar && (count == 8 || count == 16)) return avx2_blocks(ctr, key, out, count);
#endif
  blocks_scalar(ctr, key, out, count);
}

void streams_in(PhiloxLanes lanes, const std::array<uint32_t, 4>& ctr, const std::array<uint32_t, 2>& key,
                const uint32_t* block_words, const uint32_t* stream_words, uint32_t* out, unsigned count) noexcept {
  const unsigned group = lanes == PhiloxLanes::avx512 ? 32u : 16u;
  for (unsigned done = 0; done < count; done += group) {
    const unsigned n = std::min(group, count - done);
    const uint32_t *b = block_words + done, *id = stream_words + done;
    uint32_t* o = out + 4 * done;
#ifdef ADMSIM_X86_VECTORS
    if (lanes == PhiloxLanes::avx512) {
      avx512_stream_blocks(ctr, key, b, id, o, n);
      continue;
    }
    if (lanes == PhiloxLanes::avx2) {
      avx2_stream_blocks(ctr, key, b, id, o, n);
      continue;
    }
#endif
    streams_scalar(ctr, key, b, id, o, n);
  }
}

}  // namespace

namespace detail {

PhiloxLanes philox_lanes() noexcept {
  // Checked once: every refill and every month's blocks ask.
  static const PhiloxLanes widest = cpu_has(PhiloxLanes::avx512) ? PhiloxLanes::avx512
                                    : cpu_has(PhiloxLanes::avx2) ? PhiloxLanes::avx2
                                                                 : PhiloxLanes::scalar;
  return widest;
}

bool philox_lanes_available(PhiloxLanes lanes) noexcept { return cpu_has(lanes); }

void philox4x32_10_blocks_with(PhiloxLanes lanes, const std::array<uint32_t, 4>& ctr,
                               const std::array<uint32_t, 2>& key, uint32_t* out, unsigned count) noexcept {
  blocks_in(cpu_has(lanes) ? lanes : PhiloxLanes::scalar, ctr, key, out, count);
}

void philox4x32_10_streams_with(PhiloxLanes lanes, const std::array<uint32_t, 4>& ctr,
                                const std::array<uint32_t, 2>& key, const uint32_t* block_words,
                                const uint32_t* stream_words, uint32_t* out, unsigned count) noexcept {
  streams_in(cpu_has(lanes) ? lanes : PhiloxLanes::scalar, ctr, key, block_words, stream_words, out, count);
}

}  // namespace detail

void philox4x32_10_blocks(const std::array<uint32_t, 4>& ctr, const std::array<uint32_t, 2>& key,
                          uint32_t* out, unsigned count) noexcept {
  blocks_in(detail::philox_lanes(), ctr, key, out, count);
}

void philox4x32_10_streams(const std::array<uint32_t, 4>& ctr, const std::array<uint32_t, 2>& key,
                           const uint32_t* block_words, const uint32_t* stream_words, uint32_t* out,
                           unsigned count) noexcept {
  streams_in(detail::philox_lanes(), ctr, key, block_words, stream_words, out, count);
}

static_assert(kPhiloxBatch == 16, "avx2_blocks and avx512_blocks make 8 or 16 blocks");
unsigned philox4x32_10_batch() noexcept {
  return detail::philox_lanes() == detail::PhiloxLanes::scalar ? 1u : kPhiloxBatch;
}

}  // namespace admsim::rng
