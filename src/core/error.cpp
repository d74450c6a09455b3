#include "citybrain/core/error.hpp"

#include <iterator>

namespace citybrain {

namespace {

std::string compose(const std::string& where, const std::string& what) {
  return where.empty() ? what : where + ": " + what;
}

// The one table: every code with its CLI exit code, HTTP status and Python exception.
constexpr ErrorKind kKinds[] = {
    {ErrorCode::kInvalidInput, "invalid_input", 2, 400, "InvalidInputError", PythonBase::kValue},
    {ErrorCode::kNotFound, "not_found", 2, 404, "NotFoundError", PythonBase::kLookup},
    {ErrorCode::kFileNotFound, "file_not_found", 2, 404, "InputFileNotFoundError",
     PythonBase::kFileNotFound},
    {ErrorCode::kInvalidArgument, "invalid_argument", 2, 400, "InvalidArgumentError",
     PythonBase::kValue},
    {ErrorCode::kIo, "io_error", 2, 500, "IoError", PythonBase::kOs},
    {ErrorCode::kInternal, "internal", 70, 500, "InternalError", PythonBase::kRuntime},
};

}  // namespace

Error::Error(ErrorCode code, std::string where, const std::string& what)
    : std::runtime_error(compose(where, what)),
      m_code(code),
      m_where(std::move(where)),
      m_detail(what) {}

std::span<const ErrorKind> error_kinds() noexcept {
  return kKinds;
}

const ErrorKind& error_kind(ErrorCode code) noexcept {
  for (const ErrorKind& kind : kKinds) {
    if (kind.code == code) return kind;
  }
  return kKinds[std::size(kKinds) - 1];
}

int exit_code(ErrorCode code) noexcept {
  return error_kind(code).exit_code;
}
int http_status(ErrorCode code) noexcept {
  return error_kind(code).http_status;
}
const char* to_string(ErrorCode code) noexcept {
  return error_kind(code).name;
}

std::string shown(std::string_view v) {
  constexpr std::size_t kMax = 40;
  std::string s(v.substr(0, kMax));
  for (char& c : s) {
    if (static_cast<unsigned char>(c) < 0x20 || static_cast<unsigned char>(c) >= 0x7f) c = '?';
  }
  if (v.size() > kMax) s += "...";
  return s;
}

}  // namespace citybrain
