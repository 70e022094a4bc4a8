#include "admsim/json_reader.hpp"

#include <cmath>
#include <optional>
#include <sstream>
#include <vector>

namespace admsim {

std::string number_text(double x) {
  std::ostringstream out;
  out.precision(10);
  out << x;
  return out.str();
}

std::string range_text(double min, double max) {
  const bool lo = std::isfinite(min), hi = std::isfinite(max);
  if (lo && hi) return "a number in [" + number_text(min) + ", " + number_text(max) + "]";
  if (lo) return "a number >= " + number_text(min);
  if (hi) return "a number <= " + number_text(max);
  return "a finite number";
}

std::string valid_utf8(const std::string& text) {
  // Python turns messages into str, which fails on invalid UTF-8: replace each bad byte by '?'.
  std::string out;
  out.reserve(text.size());
  const auto* s = reinterpret_cast<const unsigned char*>(text.data());
  const std::size_t n = text.size();
  for (std::size_t i = 0; i < n;) {
    const unsigned char c = s[i];
    std::size_t len = c < 0x80 ? 1 : (c >> 5) == 0x6 ? 2 : (c >> 4) == 0xE ? 3 : (c >> 3) == 0x1E ? 4 : 0;
    bool ok = len > 0 && i + len <= n && !(len == 2 && c < 0xC2);
    for (std::size_t k = 1; ok && k < len; ++k) ok = (s[i + k] & 0xC0) == 0x80;
    if (ok && len == 3) {
      const unsigned cp = ((c & 0x0Fu) << 12) | ((s[i + 1] & 0x3Fu) << 6) | (s[i + 2] & 0x3Fu);
      ok = cp >= 0x800 && (cp < 0xD800 || cp > 0xDFFF);
    }
    if (ok && len == 4) {
      const unsigned cp = ((c & 0x07u) << 18) | ((s[i + 1] & 0x3Fu) << 12) | ((s[i + 2] & 0x3Fu) << 6) | (s[i + 3] & 0x3Fu);
      ok = cp >= 0x10000 && cp <= 0x10FFFF;
    }
    if (ok) {
      out.append(text, i, len);
      i += len;
    } else {
      out += '?';
      ++i;
    }
  }
  return out;
}

ValidationError::ValidationError(std::string pointer, std::string problem, std::string value,
                                 std::string allowed)
    : std::invalid_argument(valid_utf8((pointer.empty() ? std::string("(document)") : pointer) + ": " +
                                       problem + "; got " + value + "; allowed: " + allowed)),
      pointer_(valid_utf8(pointer)),
      problem_(valid_utf8(problem)),
      value_(valid_utf8(value)),
      allowed_(valid_utf8(allowed)) {}

namespace {
// The longest prefix of `text` of at most `bytes` bytes that does not cut a UTF-8 character.
std::string utf8_prefix(const std::string& text, std::size_t bytes) {
  if (text.size() <= bytes) return text;
  std::size_t end = bytes;
  while (end > 0 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
  return text.substr(0, end);
}

// The JSON pointer of the first value nested deeper than kMaxJsonDepth, or nullopt. Iterative,
// so that a document nested 10^5 deep cannot exhaust the stack before it is refused.
std::optional<std::string> too_deep(const json& root) {
  struct Item { const json* node; std::size_t depth; std::string pointer; };
  std::vector<Item> stack{{&root, 0, ""}};
  while (!stack.empty()) {
    Item item = std::move(stack.back());
    stack.pop_back();
    if (item.depth > kMaxJsonDepth) return item.pointer;
    if (item.node->is_object()) {
      for (auto it = item.node->begin(); it != item.node->end(); ++it)
        stack.push_back({&*it, item.depth + 1, item.pointer + "/" + escape_pointer_token(it.key())});
    } else if (item.node->is_array()) {
      for (std::size_t i = 0; i < item.node->size(); ++i)
        stack.push_back({&(*item.node)[i], item.depth + 1, item.pointer + "/" + std::to_string(i)});
    }
  }
  return std::nullopt;
}
}  // namespace

json parse_json_text(const std::string& text) {
  json doc;
  try {
    doc = json::parse(text);
  } catch (const json::parse_error& e) {
    throw ValidationError("", "malformed JSON at byte " + std::to_string(e.byte),
                          describe(json(utf8_prefix(text, 60))), "a JSON document (" +
                          std::string(e.what()) + ")");
  } catch (const json::exception& e) {  // e.g. a number too large for a double (1e999)
    throw ValidationError("", "unreadable JSON", describe(json(utf8_prefix(text, 60))),
                          std::string("a JSON document with finite numbers (") + e.what() + ")");
  }
  if (auto pointer = too_deep(doc)) {
    throw ValidationError(utf8_prefix(*pointer, 200) + (pointer->size() > 200 ? "..." : ""),
                          "nested too deeply", "more than " + std::to_string(kMaxJsonDepth) + " levels",
                          "at most " + std::to_string(kMaxJsonDepth) + " levels of objects and arrays");
  }
  return doc;
}

std::string describe(const json& value) {
  // Invalid UTF-8 is replaced rather than thrown, and long text is cut between characters.
  std::string text = value.dump(-1, ' ', false, json::error_handler_t::replace);
  if (text.size() > 80) text = utf8_prefix(text, 77) + "...";
  return text;
}

std::string join(const std::vector<std::string>& items, const std::string& sep) {
  std::string out;
  for (std::size_t i = 0; i < items.size(); ++i) out += (i ? sep : "") + items[i];
  return out;
}

std::string escape_pointer_token(const std::string& token) {
  std::string out;
  for (char c : token) {
    if (c == '~') out += "~0";
    else if (c == '/') out += "~1";
    else out += c;
  }
  return out;
}

JsonReader::JsonReader(const json& node, std::string pointer)
    : node_(&node), pointer_(std::move(pointer)) {}

void JsonReader::fail(const std::string& problem, const std::string& allowed) const {
  throw ValidationError(pointer_, problem, describe(*node_), allowed);
}

bool JsonReader::has(const std::string& key) const {
  return node_->is_object() && node_->contains(key);
}

JsonReader JsonReader::at(const std::string& key) const {
  expect_object();
  auto it = node_->find(key);
  if (it == node_->end()) {
    throw ValidationError(pointer_ + "/" + escape_pointer_token(key), "missing required field",
                          "nothing", "a value for '" + key + "'");
  }
  return JsonReader(*it, pointer_ + "/" + escape_pointer_token(key));
}

std::optional<JsonReader> JsonReader::find(const std::string& key) const {
  expect_object();
  auto it = node_->find(key);
  if (it == node_->end()) return std::nullopt;
  JsonReader child(*it, pointer_ + "/" + escape_pointer_token(key));
  // An explicit null is not "the default": it is refused, so a typo'd None cannot pass unseen.
  if (it->is_null()) child.fail("null given", "a value, or leave the field out for its default");
  return child;
}

JsonReader JsonReader::at(std::size_t index) const {
  expect_array();
  if (index >= node_->size()) {
    throw ValidationError(pointer_ + "/" + std::to_string(index), "index out of range",
                          std::to_string(index), "an index below " + std::to_string(node_->size()));
  }
  return JsonReader((*node_)[index], pointer_ + "/" + std::to_string(index));
}

std::size_t JsonReader::size() const { return node_->size(); }

std::vector<std::string> JsonReader::keys() const {
  expect_object();
  std::vector<std::string> out;
  for (auto it = node_->begin(); it != node_->end(); ++it) out.push_back(it.key());
  return out;
}

void JsonReader::expect_object() const {
  if (!node_->is_object()) fail("wrong type", "a JSON object");
}

void JsonReader::expect_array(std::size_t min_size, std::size_t max_size) const {
  if (!node_->is_array()) fail("wrong type", "a JSON array");
  if (node_->size() < min_size) {
    fail("too few elements", "an array of at least " + std::to_string(min_size) + " element(s)");
  }
  if (node_->size() > max_size) {
    throw ValidationError(pointer_, "too many elements", std::to_string(node_->size()) + " elements",
                          "at most " + std::to_string(max_size));
  }
}

void JsonReader::expect_only(std::initializer_list<const char*> allowed) const {
  expect_object();
  for (auto it = node_->begin(); it != node_->end(); ++it) {
    bool known = false;
    for (const char* name : allowed) known = known || it.key() == name;
    if (!known) {
      std::vector<std::string> names(allowed.begin(), allowed.end());
      throw ValidationError(pointer_ + "/" + escape_pointer_token(it.key()), "unknown field",
                            describe(*it), "one of the fields " + join(names));
    }
  }
}

double JsonReader::number(double min, double max) const {
  // nlohmann parses NaN/Infinity only from non-standard input, but Python callers may pass them.
  if (!node_->is_number()) fail("wrong type", range_text(min, max));
  const double x = node_->get<double>();
  if (!std::isfinite(x)) fail("non-finite number", range_text(min, max));
  if (x < min || x > max) fail("value out of range", range_text(min, max));
  return x;
}

double JsonReader::number_or(const std::string& key, double fallback, double min,
                             double max) const {
  auto child = find(key);
  return child ? child->number(min, max) : fallback;
}

std::int64_t JsonReader::integer(std::int64_t min, std::int64_t max) const {
  const std::string allowed =
      "an integer in [" + std::to_string(min) + ", " + std::to_string(max) + "]";
  if (!node_->is_number()) fail("wrong type", allowed);
  const double x = node_->get<double>();
  if (!std::isfinite(x)) fail("non-finite number", allowed);
  if (x != std::floor(x)) fail("not an integer", allowed);
  if (x < static_cast<double>(min) || x > static_cast<double>(max)) fail("value out of range", allowed);
  return static_cast<std::int64_t>(x);
}

std::int64_t JsonReader::integer_or(const std::string& key, std::int64_t fallback,
                                    std::int64_t min, std::int64_t max) const {
  auto child = find(key);
  return child ? child->integer(min, max) : fallback;
}

bool JsonReader::boolean() const {
  if (!node_->is_boolean()) fail("wrong type", "true or false");
  return node_->get<bool>();
}

std::string JsonReader::string() const {
  if (!node_->is_string()) fail("wrong type", "a string");
  return node_->get<std::string>();
}

std::string JsonReader::one_of(const std::vector<std::string>& choices) const {
  const std::string allowed = "one of " + join(choices);
  if (!node_->is_string()) fail("wrong type", allowed);
  const std::string value = node_->get<std::string>();
  for (const auto& c : choices) {
    if (c == value) return value;
  }
  fail("unknown value", allowed);
}

}  // namespace admsim
