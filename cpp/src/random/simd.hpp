#pragma once
// Internal: the vector instructions hot loops may use (Philox blocks, the Ofsted forward
// algorithm), chosen at run time so that the build stays generic: AVX-512 or AVX2 on x86-64 (GCC
// or Clang), else none. Every path does each number's operations in the same order, so all give
// the same results; define ADMSIM_NO_SIMD to build the scalar paths alone (to compare them).
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(ADMSIM_NO_SIMD)
#define ADMSIM_X86_VECTORS 1
#define ADMSIM_TARGET_AVX2 __attribute__((target("avx2")))
#define ADMSIM_TARGET_AVX512 __attribute__((target("avx512f,avx512dq")))
#endif

namespace admsim::simd {

// Doubles per vector of the widest of those this CPU runs: 8 (AVX-512), 4 (AVX2) or 1 (none);
// checked once (a function-local static: safe from static initialisers and threads).
inline int vector_width() {
#ifdef ADMSIM_X86_VECTORS
  static const int width = [] {
    __builtin_cpu_init();
    // AVX-512 paths may fall back on AVX2 code (short tails) and convert 64-bit integers
    // (AVX512DQ), so they need all three.
    const bool avx2 = __builtin_cpu_supports("avx2");
    const bool avx512 = __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq");
    return avx2 && avx512 ? 8 : avx2 ? 4 : 1;
  }();
  return width;
#else
  return 1;
#endif
}

}  // namespace admsim::simd
