// citybrain::Error: the one exception type thrown at the edges (loaders, config, API), with a code,
// the place the problem was found and what was expected there. One table maps codes to CLI exit
// codes and HTTP statuses so every front end reports the same problem the same way.
#pragma once

#include <stdexcept>
#include <string>

namespace citybrain {

enum class ErrorCode {
  kInvalidInput,     // a file or request that does not follow its schema
  kNotFound,         // an id, file or resource that does not exist
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

// The one table: exit code of the CLI and HTTP status of the API for each error code.
int exit_code(ErrorCode code) noexcept;
int http_status(ErrorCode code) noexcept;
const char* to_string(ErrorCode code) noexcept;

}  // namespace citybrain
