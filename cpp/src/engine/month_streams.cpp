// MonthStreams::prepare (month_streams.hpp).
#include "admsim/month_streams.hpp"

namespace admsim {

void MonthStreams::prepare(std::uint64_t seed, std::uint64_t replicate, std::uint32_t month,
                           std::uint32_t stream_offset) noexcept {
  using month_streams::kFirstWords;
  prepared_ = true;
  seed_ = seed;
  replicate_ = replicate;
  month_ = month;
  offset_ = stream_offset;
  lanes_ = rng::philox4x32_10_batch() == rng::kPhiloxBatch;
  if (!lanes_) return;
  const std::uint32_t* id_words = kFirstWords.id.data();
  std::uint32_t offset_ids[kBlocks];
  if (stream_offset != 0) {
    for (std::size_t i = 0; i < kBlocks; ++i) offset_ids[i] = kFirstWords.id[i] + stream_offset;
    id_words = offset_ids;
  }
  rng::philox4x32_10_streams(rng::Stream::first_counter(replicate, month), rng::Stream::key(seed, replicate),
                             kFirstWords.block.data(), id_words, blocks_, static_cast<unsigned>(kBlocks));
}

}  // namespace admsim
