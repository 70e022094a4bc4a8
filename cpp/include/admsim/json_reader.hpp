#pragma once
// Reading scenario JSON with errors that name the JSON pointer, the value and what is allowed.
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

namespace admsim {

using json = nlohmann::json;

// `text` with each byte that is not part of valid UTF-8 replaced by '?'.
std::string valid_utf8(const std::string& text);
// A number as errors show it (10 significant digits), and "a number in [min, max]" (or >=, <=).
std::string number_text(double x);
std::string range_text(double min, double max);

// Bad input (every part valid UTF-8). what() reads "<pointer>: <problem>; got <value>; allowed: <allowed>".
class ValidationError : public std::invalid_argument {
 public:
  ValidationError(std::string pointer, std::string problem, std::string value, std::string allowed);
  const std::string& pointer() const noexcept { return pointer_; }
  const std::string& problem() const noexcept { return problem_; }
  const std::string& value() const noexcept { return value_; }
  const std::string& allowed() const noexcept { return allowed_; }

 private:
  std::string pointer_, problem_, value_, allowed_;
};

// Deepest nesting of objects and arrays accepted in any input document.
inline constexpr std::size_t kMaxJsonDepth = 64;

// Parse text as JSON; a syntax error becomes a ValidationError at pointer "" naming the byte
// offset, and so does a number no double holds; nesting deeper than kMaxJsonDepth is refused.
json parse_json_text(const std::string& text);

// A view of one JSON node that knows its pointer.
class JsonReader {
 public:
  JsonReader(const json& node, std::string pointer);

  const json& node() const noexcept { return *node_; }
  const std::string& pointer() const noexcept { return pointer_; }

  bool has(const std::string& key) const;
  JsonReader at(const std::string& key) const;             // required member
  std::optional<JsonReader> find(const std::string& key) const;
  JsonReader at(std::size_t index) const;                  // array element
  std::size_t size() const;                                // array or object size
  std::vector<std::string> keys() const;                   // object keys, in order

  void expect_object() const;
  // An array of min_size..max_size elements (lists a user writes by hand are bounded: a run
  // of 10^5 interventions is a mistake, not a scenario).
  void expect_array(std::size_t min_size = 0, std::size_t max_size = 10000) const;
  // Fails on any member not in `allowed` (catches typos such as "replicate" for "replicates").
  void expect_only(std::initializer_list<const char*> allowed) const;

  double number(double min, double max) const;  // finite, within [min, max]
  double number_or(const std::string& key, double fallback, double min, double max) const;
  std::int64_t integer(std::int64_t min, std::int64_t max) const;
  std::int64_t integer_or(const std::string& key, std::int64_t fallback, std::int64_t min,
                          std::int64_t max) const;
  bool boolean() const;
  std::string string() const;
  std::string one_of(const std::vector<std::string>& choices) const;

  [[noreturn]] void fail(const std::string& problem, const std::string& allowed) const;

 private:
  const json* node_;
  std::string pointer_;
};

std::string describe(const json& value);          // short rendering of a value for messages
std::string join(const std::vector<std::string>& items, const std::string& sep = ", ");
std::string escape_pointer_token(const std::string& token);

}  // namespace admsim
