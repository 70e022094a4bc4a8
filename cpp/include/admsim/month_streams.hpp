#pragma once
// A replicate-month's random streams with their first Philox blocks made together in SIMD lanes
// (rng::philox4x32_10_streams), as many for each stream as it mostly uses in a month: the same
// numbers as each stream making its own on first use, where each would wait on its own chain of
// rounds. Made by the engine at the start of each month, once for all the runs of a replicate
// that share them (simulate_models, Lockstep), and by bench_engine's same-draws loop.
#include <array>
#include <cassert>
#include <cstddef>
#include <cstdint>

#include "admsim/engine.hpp"
#include "admsim/random.hpp"

namespace admsim {
namespace month_streams {
// The streams a month draws from (demand, workforce, quality) and how many of their first Philox
// blocks prepare() makes: about the 95th percentile (a little more, to fill the lanes) of the
// blocks each used in a month at Example County (25 models, 10 years, counted in 2026), as a
// block made in lanes costs about a tenth of a refill's wait. Only speed depends on them: block
// b is philox(b) however it is made. 0: not prepared (unused ids, streams drawn once a run).
constexpr std::array<std::uint8_t, 64> first_blocks() {
  std::array<std::uint8_t, 64> blocks{};
  blocks[kStreamDemandNoise] = 2;  // a normal: two uniforms, redrawn a fifth of the time
  blocks[kStreamReferrals] = 2;
  blocks[kStreamRereferrals] = 6;  // twelve cohorts, one uniform each
  blocks[kStreamReferralOutcome] = 2;
  blocks[kStreamCin] = 5;          // a multinomial of conditional binomials (BTRD: several uniforms)
  blocks[kStreamCpp] = 5;
  blocks[kStreamCppRepeat] = 1;
  blocks[kStreamCareEntry] = 12;   // an entrant's pick each
  blocks[kStreamCareExit] = 56;    // the 112 care cells' uniforms (all of them, every month)
  blocks[kStreamPlacementMoves] = 2;
  blocks[kStreamUasc] = 1;
  blocks[kStreamPlacementStep] = 24;  // the 16 step-down cells' 48 uniforms
  blocks[kStreamCareMoves] = 4;       // cells with three or more movers (0 to 11 blocks; 96%: 4 or fewer)
  blocks[kStreamPlacementStepMore] = 1;
  blocks[kStreamLabourMarket] = 2;
  blocks[kStreamLeavers] = 2;
  blocks[kStreamHires] = 1;
  blocks[kStreamProgression] = 1;
  blocks[kStreamAgency] = 1;
  blocks[kStreamMovers] = 1;  // regional runs
  blocks[kStreamQuality] = 2;
  blocks[kStreamInspection] = 3;
  return blocks;
}
inline constexpr std::array<std::uint8_t, 64> kFirstBlocks = first_blocks();
// Where each stream's prepared blocks start in MonthStreams' blocks (in id order).
constexpr std::array<std::uint16_t, 64> first_at() {
  std::array<std::uint16_t, 64> first{};
  std::uint16_t at = 0;
  for (std::size_t id = 0; id < first.size(); ++id) {
    first[id] = at;
    at = static_cast<std::uint16_t>(at + kFirstBlocks[id]);
  }
  return first;
}
inline constexpr std::array<std::uint16_t, 64> kFirstAt = first_at();
inline constexpr std::size_t kFirstTotal = kFirstAt.back() + kFirstBlocks.back();
// The prepared blocks' counter words: each block's index in its stream, and the stream's id.
struct FirstWords {
  std::array<std::uint32_t, kFirstTotal> block{}, id{};
};
constexpr FirstWords first_words() {
  FirstWords w;
  for (std::uint32_t id = 0; id < kFirstBlocks.size(); ++id) {
    for (std::uint32_t b = 0; b < kFirstBlocks[id]; ++b) {
      w.block[kFirstAt[id] + b] = b;
      w.id[kFirstAt[id] + b] = id;
    }
  }
  return w;
}
inline constexpr FirstWords kFirstWords = first_words();
}  // namespace month_streams

class MonthStreams {
 public:
  // 136: in AVX-512 lanes 4 groups of 32 and one of 8; in AVX2, 8 groups of 16 and one of 8.
  static constexpr std::size_t kBlocks = month_streams::kFirstTotal;
  // Makes the month's blocks (where the CPU has AVX2 lanes; without them, scalar rounds gain
  // nothing from being made together, and streams make their own). stream_offset is added to
  // every stream id (common random numbers off: each model's own streams).
  void prepare(std::uint64_t seed, std::uint64_t replicate, std::uint32_t month, std::uint32_t stream_offset = 0) noexcept;
  // Whether prepare() was last called for this seed and month (and so stream() gives their
  // streams).
  bool is_for(std::uint64_t seed, std::uint32_t month) const noexcept {
    return prepared_ && seed == seed_ && month == month_;
  }
  // Whether prepare() was last called for this seed, replicate and month, with no stream offset.
  bool is_for(std::uint64_t seed, std::int64_t replicate, std::uint32_t month) const noexcept {
    return is_for(seed, month) && static_cast<std::uint64_t>(replicate) == replicate_ && offset_ == 0;
  }
  // Stream id (before the offset) of the prepared month, reading the prepared blocks where the
  // id has them, else a plain one. The stream (and any copy of it) reads the blocks in place:
  // use it before the next prepare(), and not from a temporary MonthStreams.
  rng::Stream stream(std::uint32_t id) const& noexcept {
    using namespace month_streams;
    assert(prepared_);
    if (lanes_ && id < kFirstBlocks.size() && kFirstBlocks[id] > 0) {
      return rng::Stream(seed_, replicate_, id + offset_, month_, &blocks_[4 * kFirstAt[id]], kFirstBlocks[id]);
    }
    return rng::Stream(seed_, replicate_, id + offset_, month_);
  }
  rng::Stream stream(std::uint32_t id) const&& = delete;
  // How many blocks stream id has prepared where the CPU has AVX2 lanes (0: none).
  static unsigned prepared_blocks(std::uint32_t id) noexcept {
    return id < month_streams::kFirstBlocks.size() ? month_streams::kFirstBlocks[id] : 0u;
  }

 private:
  bool prepared_ = false, lanes_ = false;
  std::uint64_t seed_ = 0, replicate_ = 0;
  std::uint32_t month_ = 0, offset_ = 0;
  std::uint32_t blocks_[4 * kBlocks];  // written by prepare() before any read (with lanes)
};

}  // namespace admsim
