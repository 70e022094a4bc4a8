// Philox4x32-10 and rng::Stream.
#include <catch2/catch.hpp>

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdint>
#include <memory>
#include <thread>
#include <vector>

#include "admsim/month_streams.hpp"
#include "admsim/random.hpp"

using admsim::rng::philox4x32_10;
using admsim::rng::Stream;

namespace {
std::vector<uint32_t> take(Stream s, std::size_t n) {
  std::vector<uint32_t> v(n);
  for (auto& x : v) x = s.next_u32();
  return v;
}
}  // namespace

TEST_CASE("Philox4x32-10 matches the Random123 known-answer vectors", "[random]") {
  using A4 = std::array<uint32_t, 4>;
  using A2 = std::array<uint32_t, 2>;
  CHECK(philox4x32_10(A4{0, 0, 0, 0}, A2{0, 0}) ==
        A4{0x6627e8d5u, 0xe169c58du, 0xbc57ac4cu, 0x9b00dbd8u});
  CHECK(philox4x32_10(A4{0xffffffffu, 0xffffffffu, 0xffffffffu, 0xffffffffu},
                      A2{0xffffffffu, 0xffffffffu}) ==
        A4{0x408f276du, 0x41c83b0eu, 0xa20bc7c6u, 0x6d5451fdu});
  CHECK(philox4x32_10(A4{0x243f6a88u, 0x85a308d3u, 0x13198a2eu, 0x03707344u},
                      A2{0xa4093822u, 0x299f31d0u}) ==
        A4{0xd16cfe09u, 0x94fdccebu, 0x5001e420u, 0x24126ea1u});
}

TEST_CASE("Stream layout: key = seed, counter = {block, month, stream, replicate}", "[random]") {
  const uint64_t seed = 0x0123456789abcdefULL;
  Stream s(seed, 3, 7, 11);
  const std::array<uint32_t, 2> key{0x89abcdefu, 0x01234567u};
  for (uint32_t block = 0; block < 3; ++block) {
    const auto expect = philox4x32_10({block, 11, 7, 3}, key);
    for (uint32_t w : expect) CHECK(s.next_u32() == w);
  }
}

TEST_CASE("Blocks made ahead in batches are the blocks philox gives one by one", "[random]") {
  const std::array<uint32_t, 2> key{0x89abcdefu, 0x01234567u};
  // Batches of 8 and 16, also across the counter's wrap, by every set of SIMD lanes this CPU has
  // (and the scalar rounds, what runs without them) and by the widest, which the streams use.
  using admsim::rng::detail::PhiloxLanes;
  for (PhiloxLanes lanes : {PhiloxLanes::scalar, PhiloxLanes::avx2, PhiloxLanes::avx512}) {
    if (!admsim::rng::detail::philox_lanes_available(lanes)) continue;
    for (uint32_t first : {0u, 5u, 0xfffffff9u}) {
      for (unsigned count : {8u, 16u, 3u}) {
        std::vector<uint32_t> out(4 * count), with(4 * count);
        admsim::rng::philox4x32_10_blocks({first, 11, 7, 3}, key, out.data(), count);
        admsim::rng::detail::philox4x32_10_blocks_with(lanes, {first, 11, 7, 3}, key, with.data(), count);
        for (uint32_t j = 0; j < count; ++j) {
          const auto expect = philox4x32_10({first + j, 11, 7, 3}, key);
          for (uint32_t i = 0; i < 4; ++i) CHECK((out[4 * j + i] == expect[i] && with[4 * j + i] == expect[i]));
        }
      }
    }
  }
  // A long stream (several batches), read as u32 and as u64 at odd and even offsets alike.
  Stream a(0x0123456789abcdefULL, 3, 7, 11), b(0x0123456789abcdefULL, 3, 7, 11);
  std::vector<uint32_t> words;
  for (uint32_t block = 0; block < 60; ++block)
    for (uint32_t w : philox4x32_10({block, 11, 7, 3}, key)) words.push_back(w);
  for (std::size_t i = 0; i < words.size(); ++i) REQUIRE(a.next_u32() == words[i]);
  std::size_t at = 0;
  while (at + 3 <= words.size()) {
    REQUIRE(b.next_u32() == words[at]);
    REQUIRE(b.next_u64() == ((uint64_t{words[at + 2]} << 32) | words[at + 1]));
    at += 3;
  }
}

TEST_CASE("first blocks of many streams at once are each stream's own", "[random]") {
  const uint64_t seed = 0x0123456789abcdefULL, replicate = (uint64_t{5} << 32) | 9u;  // a high word
  const auto key = Stream::key(seed, replicate);
  // Streams with 1 to 40 blocks each: whole groups of 16 and 32 lanes, partial groups, and a
  // single block.
  for (unsigned streams : {24u, 5u, 16u, 1u, 3u, 11u}) {
    std::vector<uint32_t> ids, blocks, first;  // by block: its stream and its index there
    std::vector<unsigned> made(streams);
    for (unsigned i = 0; i < streams; ++i) {
      made[i] = streams == 3 ? 40 - i : 1 + (7 * i) % 5;
      first.push_back(static_cast<uint32_t>(ids.size()));
      for (unsigned b = 0; b < made[i]; ++b) {
        ids.push_back(10 + 3 * i);
        blocks.push_back(b);
      }
    }
    const auto count = static_cast<unsigned>(ids.size());
    std::vector<uint32_t> out(4 * count);
    admsim::rng::philox4x32_10_streams(Stream::first_counter(replicate, 17), key, blocks.data(), ids.data(),
                                       out.data(), count);
    // Every set of lanes this CPU has, and the scalar rounds (what runs without them), make the
    // same words.
    using admsim::rng::detail::PhiloxLanes;
    for (PhiloxLanes lanes : {PhiloxLanes::scalar, PhiloxLanes::avx2, PhiloxLanes::avx512}) {
      if (!admsim::rng::detail::philox_lanes_available(lanes)) continue;
      std::vector<uint32_t> with(4 * count);
      admsim::rng::detail::philox4x32_10_streams_with(lanes, Stream::first_counter(replicate, 17), key,
                                                      blocks.data(), ids.data(), with.data(), count);
      REQUIRE(with == out);
    }
    for (unsigned i = 0; i < streams; ++i) {
      // A stream built on its prepared blocks gives what the plain one gives, past them too.
      const uint32_t id = 10 + 3 * i;
      Stream plain(seed, replicate, id, 17), prepared(seed, replicate, id, 17, &out[4 * first[i]], made[i]);
      for (unsigned k = 0; k < 4 * made[i] + 150; ++k) REQUIRE(prepared.next_u32() == plain.next_u32());
      // Copies go on as plain streams do, made while the original reads the prepared blocks or
      // its own buffer, and read after the original has moved on past a refill or is gone.
      Stream reference(seed, replicate, id, 17);
      std::vector<uint32_t> expect(4 * made[i] + 200);
      for (auto& w : expect) w = reference.next_u32();
      auto original = std::make_unique<Stream>(seed, replicate, id, 17, &out[4 * first[i]], made[i]);
      original->next_u32();
      const Stream from_prepared = *original;
      for (unsigned k = 1; k < 4 * made[i] + 5; ++k) original->next_u32();  // into its own buffer
      Stream from_buffer(1, 2, 3, 4);
      from_buffer = *original;
      for (int k = 0; k < 120; ++k) original->next_u32();  // past a refill
      original.reset();
      Stream a_copy = from_prepared;
      for (unsigned k = 1; k < expect.size(); ++k) REQUIRE(a_copy.next_u32() == expect[k]);
      for (unsigned k = 4 * made[i] + 5; k < expect.size(); ++k) REQUIRE(from_buffer.next_u32() == expect[k]);
    }
  }
}

TEST_CASE("a month's prepared streams give each stream's own numbers", "[random]") {
  // Every id, prepared or not, with common random numbers on (offset 0) and off, past the
  // prepared blocks too; and a second month's preparation replaces the first's.
  admsim::MonthStreams month;
  for (uint32_t offset : {0u, 3u << 16}) {
    for (uint32_t m : {0u, 7u}) {
      month.prepare(0xfeedULL, 41, m, offset);
      int prepared = 0;
      for (uint32_t id = 0; id < 80; ++id) {
        const unsigned blocks = admsim::MonthStreams::prepared_blocks(id);
        prepared += blocks > 0;
        CHECK(take(month.stream(id), 4 * blocks + 70) == take(Stream(0xfeedULL, 41, id + offset, m), 4 * blocks + 70));
      }
      CHECK(prepared >= 20);
      CHECK(month.is_for(0xfeedULL, m));
      CHECK(!month.is_for(0xfeedULL, m + 1));
      CHECK(!month.is_for(0xfeeeULL, m));
    }
  }
  CHECK(!admsim::MonthStreams().is_for(0, 0));  // none before the first prepare()
}

TEST_CASE("uniforms() gives what as many uniform() calls give", "[random]") {
  // Runs that start mid-buffer, cross refills, and follow an odd u32 draw.
  for (std::size_t k : {1u, 2u, 3u, 31u, 112u, 200u}) {
    for (int skip_u32 : {0, 1, 5}) {
      Stream a(7, 3, 18, 2), b(7, 3, 18, 2);
      for (int i = 0; i < skip_u32; ++i) REQUIRE(a.next_u32() == b.next_u32());
      std::vector<double> bulk(k);
      a.uniforms(bulk.data(), k);
      for (std::size_t i = 0; i < k; ++i) REQUIRE(bulk[i] == b.uniform());
      REQUIRE(a.next_u32() == b.next_u32());  // and the streams stay in step after
    }
  }
}

TEST_CASE("words convert to uniforms as uniform() converts them, zeros flagged, in SIMD lanes or not", "[random]") {
  // Words from a stream, with a zero uniform (top 53 bits 0, low 11 bits anything) placed in
  // the lanes, in the scalar tail, or nowhere.
  Stream s(3, 1, 4, 5);
  std::vector<uint32_t> words(2 * 40);
  for (auto& w : words) w = s.next_u32();
  for (std::size_t count : {0u, 1u, 7u, 8u, 9u, 16u, 23u, 40u}) {
    for (long zero_at : {-1L, 0L, 3L, 8L, 15L, 22L}) {
      std::vector<uint32_t> w = words;
      if (zero_at >= 0 && static_cast<std::size_t>(zero_at) < count) {
        w[2 * static_cast<std::size_t>(zero_at)] = 0x7FFu;  // below bit 11 only
        w[2 * static_cast<std::size_t>(zero_at) + 1] = 0;
      }
      std::vector<double> out(count);
      const bool zero = admsim::rng::detail::unit_doubles(w.data(), count, out.data());
      bool expect_zero = false;
      for (std::size_t j = 0; j < count; ++j) {
        const uint64_t bits = ((uint64_t{w[2 * j + 1]} << 32) | w[2 * j]) >> 11;
        expect_zero |= bits == 0;
        REQUIRE(out[j] == static_cast<double>(bits) * 0x1p-53);
      }
      REQUIRE(zero == expect_zero);
    }
  }
}

TEST_CASE("next_u64 is two u32 draws, low half first", "[random]") {
  Stream a(42, 1, 2, 3), b(42, 1, 2, 3);
  for (int i = 0; i < 10; ++i) {
    const uint64_t lo = b.next_u32();
    const uint64_t hi = b.next_u32();
    CHECK(a.next_u64() == ((hi << 32) | lo));
  }
}

TEST_CASE("Same key gives the same numbers, whichever thread draws them", "[random]") {
  const auto here = take(Stream(7, 5, 2, 60), 1000);
  CHECK(here == take(Stream(7, 5, 2, 60), 1000));
  std::vector<uint32_t> there;
  std::thread t([&] { there = take(Stream(7, 5, 2, 60), 1000); });
  t.join();
  CHECK(here == there);
}

TEST_CASE("Different seed, replicate, stream or month gives different numbers", "[random]") {
  const auto base = take(Stream(7, 5, 2, 60), 8);
  CHECK(base != take(Stream(8, 5, 2, 60), 8));
  CHECK(base != take(Stream(7, 6, 2, 60), 8));
  CHECK(base != take(Stream(7, 5, 3, 60), 8));
  CHECK(base != take(Stream(7, 5, 2, 61), 8));
  CHECK(base != take(Stream(uint64_t{7} << 32, 5, 2, 60), 8));   // seed's high word matters
  CHECK(base != take(Stream(7, 5 + (uint64_t{1} << 32), 2, 60), 8));  // replicate's high word too
  // Within one stream, blocks do not repeat.
  const auto long_run = take(Stream(7, 5, 2, 60), 16);
  CHECK(std::vector<uint32_t>(long_run.begin(), long_run.begin() + 4) !=
        std::vector<uint32_t>(long_run.begin() + 4, long_run.begin() + 8));
}

TEST_CASE("uniform() lies strictly inside (0, 1) and is uniform", "[random]") {
  Stream s(2024, 0, 0, 0);
  const int n = 1'000'000;
  double sum = 0.0, lo = 1.0, hi = 0.0;
  std::array<int, 10> bins{};
  for (int i = 0; i < n; ++i) {
    const double u = s.uniform();
    REQUIRE(u > 0.0);
    REQUIRE(u < 1.0);
    sum += u;
    lo = std::min(lo, u);
    hi = std::max(hi, u);
    ++bins[static_cast<std::size_t>(u * 10.0)];
  }
  CHECK(std::abs(sum / n - 0.5) < 5.0 * std::sqrt(1.0 / 12.0 / n));
  CHECK(lo < 1e-5);
  CHECK(hi > 1.0 - 1e-5);
  double chi2 = 0.0;
  for (int c : bins) chi2 += (c - n / 10.0) * (c - n / 10.0) / (n / 10.0);
  CHECK(chi2 < 33.7);  // chi-square(9) upper 1e-4 point
  // The largest value the 53-bit scaling can give is still below 1.
  CHECK(static_cast<double>((uint64_t{1} << 53) - 1) * 0x1p-53 < 1.0);
}
