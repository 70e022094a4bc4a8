#pragma once
// Counter-based random numbers: Philox4x32-10 (Salmon, Moraes, Dror & Shaw, "Parallel random numbers:
// as easy as 1, 2, 3", SC'11). A draw is a pure function of (key, counter), so a Stream built from the
// same (seed, replicate, stream, month) yields the same numbers on any thread, in any order.
// Integer-only: bit-identical on every platform and compiler.
#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>

namespace admsim::rng {

// Philox4x32's key in round r (from 0): the key plus r Weyl increments, mod 2^32 (the same as
// adding one increment a round). One schedule for the scalar rounds and the SIMD lanes.
inline std::array<uint32_t, 2> philox_round_key(const std::array<uint32_t, 2>& key, uint32_t r) noexcept {
  return {key[0] + r * 0x9E3779B9u, key[1] + r * 0xBB67AE85u};
}

// One Philox4x32 bijection with 10 rounds; matches Random123's philox4x32_R(10, ctr, key).
inline std::array<uint32_t, 4> philox4x32_10(std::array<uint32_t, 4> ctr,
                                             const std::array<uint32_t, 2>& key0) noexcept {
  constexpr uint32_t M0 = 0xD2511F53u, M1 = 0xCD9E8D57u;  // round multipliers
  for (uint32_t round = 0; round < 10; ++round) {
    const std::array<uint32_t, 2> key = philox_round_key(key0, round);
    const uint64_t p0 = uint64_t{M0} * ctr[0];
    const uint64_t p1 = uint64_t{M1} * ctr[2];
    const auto hi0 = static_cast<uint32_t>(p0 >> 32), lo0 = static_cast<uint32_t>(p0);
    const auto hi1 = static_cast<uint32_t>(p1 >> 32), lo1 = static_cast<uint32_t>(p1);
    ctr = {hi1 ^ ctr[1] ^ key[0], lo1, hi0 ^ ctr[3] ^ key[1], lo0};
  }
  return ctr;
}

// Blocks ctr, ctr + 1, ..., ctr + count - 1 (in the counter's low word) into out[0 .. 4 count),
// block by block: the same words as count calls of philox4x32_10. For count 8 or 16, AVX2 or
// AVX-512 lanes where the CPU has them (checked once), else the scalar rounds. Integer-only, so
// the ISA cannot change a number.
void philox4x32_10_blocks(const std::array<uint32_t, 4>& ctr, const std::array<uint32_t, 2>& key,
                          uint32_t* out, unsigned count) noexcept;
// Blocks of many streams at once (ctr[0] and ctr[2] unused): block {block_words[i], ctr[1],
// stream_words[i], ctr[3]} into out[4 i .. 4 i + 4) for i < count, the same words as
// philox4x32_10 gives it; AVX2 or AVX-512 lanes where the CPU has them. For a month's first
// blocks of its streams (Stream's prepared constructor), made 16 or 32 at a time, where each
// stream making its own would wait on its own chain of rounds.
void philox4x32_10_streams(const std::array<uint32_t, 4>& ctr, const std::array<uint32_t, 2>& key,
                           const uint32_t* block_words, const uint32_t* stream_words, uint32_t* out,
                           unsigned count) noexcept;
namespace detail {
// k < 2^53 as a signed integer: one conversion instruction, where an unsigned one is several.
inline double to_unit(uint64_t k) noexcept { return static_cast<double>(static_cast<int64_t>(k)) * 0x1p-53; }

// Which lanes make the blocks: the widest the CPU has (checked once), for the functions above;
// the _with forms take them named (the tests check every set this CPU has against the others;
// lanes it lacks fall back to scalar rounds). Every set makes the same words.
enum class PhiloxLanes { scalar, avx2, avx512 };
PhiloxLanes philox_lanes() noexcept;
bool philox_lanes_available(PhiloxLanes lanes) noexcept;
void philox4x32_10_blocks_with(PhiloxLanes lanes, const std::array<uint32_t, 4>& ctr,
                               const std::array<uint32_t, 2>& key, uint32_t* out, unsigned count) noexcept;
void philox4x32_10_streams_with(PhiloxLanes lanes, const std::array<uint32_t, 4>& ctr,
                                const std::array<uint32_t, 2>& key, const uint32_t* block_words,
                                const uint32_t* stream_words, uint32_t* out, unsigned count) noexcept;
// Uniforms from words: out[j] = to 2^-53 the top 53 bits of the 64-bit word (words[2j + 1],
// words[2j]), for j < count; true where any of them is 0 (which a Stream redraws). In AVX-512
// lanes where the CPU has them: the same numbers (k < 2^53 converts exactly).
bool unit_doubles(const uint32_t* words, std::size_t count, double* out) noexcept;
}  // namespace detail
// How many blocks a Stream makes ahead after its first: kPhiloxBatch with SIMD lanes (or half
// that where it knows it needs no more), else 1 (scalar rounds gain nothing from batches, and
// most streams would not use them).
inline constexpr unsigned kPhiloxBatch = 16;
unsigned philox4x32_10_batch() noexcept;

// A sequence of random numbers for one (seed, replicate, stream, month).
// Layout: key = seed (low word, high word); counter = {block, month, stream, replicate low word}.
// Block (the low word) counts groups of 4 outputs, so one Stream gives 2^34 u32 before repeating.
// Replicates >= 2^32 fold their high word into the key's high word: distinct from every other
// replicate of the same seed, at the cost of possibly meeting another seed's stream (never in practice).
//
// Blocks are made ahead: the first alone (or, by the prepared constructor, the first few made
// beside other streams' in SIMD lanes), then 16 at a time where the CPU has AVX2 or AVX-512
// (else one by one, as scalar rounds gain nothing from batches). Most streams need one or two blocks; the
// few that need dozens (a month's care cells) get them from SIMD lanes, many blocks in the time
// of one scalar block's dependent chain. Which blocks are made ahead never changes a number:
// block b is always philox(b).
class Stream {
 public:
  Stream(uint64_t seed, uint64_t replicate, uint32_t stream, uint32_t month) noexcept
      : key_(key(seed, replicate)), ctr_{0u, month, stream, static_cast<uint32_t>(replicate)} {}

  // The same Stream with its first blocks already made (first: philox blocks 0 .. blocks - 1 of
  // this stream, as philox4x32_10_streams makes them; none is a plain stream that batches from
  // its first refill): the same numbers, without waiting on their rounds. The Stream, and any
  // copy made while it reads them, reads them where they are: they must outlive that use.
  Stream(uint64_t seed, uint64_t replicate, uint32_t stream, uint32_t month, const uint32_t* first,
         unsigned blocks = 1) noexcept
      : Stream(seed, replicate, stream, month) {
    words_ = first;
    ctr_[0] = blocks;
    end_ = 4 * blocks;
    fills_ = 1;
  }
  // A copy reads its own buffer where the original read its own, and the same prepared blocks
  // where it read those.
  Stream(const Stream& other) noexcept { *this = other; }
  Stream& operator=(const Stream& other) noexcept {
    if (this == &other) return *this;
    key_ = other.key_;
    ctr_ = other.ctr_;
    idx_ = other.idx_;
    end_ = other.end_;
    fills_ = other.fills_;
    if (other.words_ == other.buf_) {
      std::copy(other.buf_, other.buf_ + other.end_, buf_);  // the words made (the rest unwritten)
      words_ = buf_;
    } else {
      words_ = other.words_;
    }
    return *this;
  }

  // The counter and key of block 0 of a stream, for philox4x32_10_streams.
  static std::array<uint32_t, 4> first_counter(uint64_t replicate, uint32_t month) noexcept {
    return {0u, month, 0u, static_cast<uint32_t>(replicate)};
  }
  static std::array<uint32_t, 2> key(uint64_t seed, uint64_t replicate) noexcept {
    return {static_cast<uint32_t>(seed), static_cast<uint32_t>(seed >> 32) ^ static_cast<uint32_t>(replicate >> 32)};
  }

  uint32_t next_u32() noexcept {
    if (idx_ == end_) refill();
    return words_[idx_++];
  }

  // First u32 is the low half, second the high half.
  uint64_t next_u64() noexcept {
    if (end_ - idx_ >= 2) {  // both halves in the buffer: one check instead of two
      const uint64_t lo = words_[idx_], hi = words_[idx_ + 1];
      idx_ += 2;
      return (hi << 32) | lo;
    }
    const uint64_t lo = next_u32();
    const uint64_t hi = next_u32();
    return (hi << 32) | lo;
  }

  // Uniform on the open interval (0, 1): the top 53 bits scaled by 2^-53 (exact), with zero redrawn
  // (probability 2^-53) so that log(u) and 1/u are always finite. Largest value is 1 - 2^-53.
  double uniform() noexcept {
    for (;;) {
      const uint64_t k = next_u64() >> 11;
      if (k != 0) return detail::to_unit(k);
    }
  }

  // k calls of uniform() into out[0..k): the same numbers, those already made converted together
  // with no branch per number (detail::unit_doubles; a zero among them, probability 2^-53 each,
  // goes back to uniform() from there, which redraws it).
  void uniforms(double* out, std::size_t k) noexcept {
    std::size_t i = 0;
    while (i < k) {
      const std::size_t ready = std::min<std::size_t>(k - i, (end_ - idx_) / 2);
      if (ready == 0) {  // none whole in the buffer
        if (idx_ == end_ && fills_ > 0) {
          refill(static_cast<unsigned>((k - i + 1) / 2));  // the blocks still wanted, where batched
        } else {
          out[i++] = uniform();  // one straddling a refill
        }
        continue;
      }
      if (detail::unit_doubles(words_ + idx_, ready, out + i)) break;
      idx_ += static_cast<uint32_t>(2 * ready);
      i += ready;
    }
    for (; i < k; ++i) out[i] = uniform();
  }

 private:
  // wanted: how many blocks the caller knows it needs (uniforms()); batches are then of 8 when
  // that will do, not 16.
  void refill(unsigned wanted = kPhiloxBatch) noexcept {
    if (fills_ == 0) {  // the first block alone: most streams need no more
      const auto b = philox4x32_10(ctr_, key_);
      for (unsigned i = 0; i < 4; ++i) buf_[i] = b[i];
      ctr_[0] += 1;
      end_ = 4;
    } else {
      const unsigned batch = philox4x32_10_batch();
      const unsigned count = batch == kPhiloxBatch && wanted <= kPhiloxBatch / 2 ? kPhiloxBatch / 2 : batch;
      philox4x32_10_blocks(ctr_, key_, buf_, count);
      ctr_[0] += count;
      end_ = 4 * count;
    }
    ++fills_;
    idx_ = 0;
    words_ = buf_;
  }

  std::array<uint32_t, 2> key_;
  std::array<uint32_t, 4> ctr_;  // the next block to make
  uint32_t idx_ = 0, end_ = 0;   // words_[idx_, end_) not yet used; empty: the first call makes block 0
  uint32_t fills_ = 0;
  uint32_t buf_[4 * kPhiloxBatch];  // written before read (refill)
  const uint32_t* words_ = buf_;    // buf_, or the prepared blocks until they are used up
};

}  // namespace admsim::rng
