// citybrain::Error: the one exception type thrown at the edges (loaders, config, API), with a code,
// the place the problem was found and what was expected there. One table maps codes to CLI exit
// codes and HTTP statuses so every front end reports the same problem the same way.
#pragma once

#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

namespace citybrain {

enum class ErrorCode {
  kInvalidInput,     // a file or request that does not follow its schema
  kNotFound,         // an id or resource that does not exist
  kFileNotFound,     // an input file that does not exist
  kInvalidArgument,  // a command-line or API argument out of range
  kIo,               // a file that cannot be read or written
  kInternal,         // a bug: should never reach a user
};

class Error : public std::runtime_error {
 public:
  // where: "file.json: /roads/3/lanes/1/width"; what: the problem, naming the offending value and
  // what was expected.
  Error(ErrorCode code, std::string where, const std::string& what);

  ErrorCode code() const noexcept { return m_code; }
  const std::string& where() const noexcept { return m_where; }
  const std::string& detail() const noexcept { return m_detail; }

 private:
  ErrorCode m_code;
  std::string m_where;
  std::string m_detail;
};

// The built-in Python exception a code's Python exception also derives from.
enum class PythonBase { kValue, kLookup, kFileNotFound, kOs, kRuntime };

// The one table: per code, the CLI's exit code, the API's HTTP status and the Python exception.
struct ErrorKind {
  ErrorCode code;
  const char* name;
  int exit_code;
  int http_status;
  const char* python_class;
  PythonBase python_base;
};
std::span<const ErrorKind> error_kinds() noexcept;
const ErrorKind& error_kind(ErrorCode code) noexcept;
int exit_code(ErrorCode code) noexcept;
int http_status(ErrorCode code) noexcept;
const char* to_string(ErrorCode code) noexcept;

// A value from an input as an error message quotes it: at most 40 characters (then "..."), with
// control and non-ASCII bytes as '?' so that a message stays one printable line.
std::string shown(std::string_view value);

}  // namespace citybrain
