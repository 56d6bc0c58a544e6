// The part of CLI11's interface the commands use, under the same names, compiled in one file.
// CLI11 2.1 (Debian 12's) is header-only: every file that includes it gets ~1 MB of its code
// (its validators are objects built in each file): the CLI's instrumented compile took 394
// CPU-seconds with it in 18 files, 187 with it here only.
#pragma once

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

namespace CLI {
class App;
class Option;
}  // namespace CLI

namespace ferlab::cli {

// Checks an option's value before any callback runs.
enum class Check { positive_number, non_negative_number };

// One option or flag of a command; the methods return it, to chain as in CLI11.
class Option {
 public:
  explicit Option(CLI::Option* option) : option_(option) {}
  Option* required();
  Option* capture_default_str();  // --help shows the default value
  Option* type_name(const std::string& name);
  Option* check(Check check);
  Option* check_one_of(const std::vector<std::string>& allowed);
  Option* needs(Option* other);
  Option* excludes(Option* other);
  Option* delimiter(char separator);

 private:
  CLI::Option* option_;
};

// A command (or the program itself): options, flags, subcommands and what it runs.
class Command {
 public:
  explicit Command(CLI::App* app) : app_(app) {}
  Command* add_subcommand(const std::string& name, const std::string& description);
  void require_subcommand(int count);
  // Defined for the value types commands use (command_line.cpp lists them).
  template <typename T>
  Option* add_option(const std::string& name, T& value, const std::string& description);
  Option* add_flag(const std::string& name, bool& value, const std::string& description);
  // Runs once the command line is parsed, if this command was named on it. UsageError and
  // ExitCode thrown from it end the program as CLI11's errors do.
  void callback(std::function<void()> run);

 private:
  CLI::App* app_;
  std::deque<Command> subcommands_;  // deque: pointers handed out stay valid
  std::deque<Option> options_;
};

// A bad option value found by a command: printed as "--name: message" with a hint to --help.
class UsageError : public std::runtime_error {
 public:
  UsageError(std::string option, const std::string& message)
      : std::runtime_error(message), option_(std::move(option)) {}
  explicit UsageError(const std::string& message) : std::runtime_error(message) {}
  const std::string& option() const { return option_; }

 private:
  std::string option_;
};

// Ends the program with this exit code, the reason already printed.
class ExitCode : public std::exception {
 public:
  explicit ExitCode(int code) : code_(code) {}
  int code() const { return code_; }
  const char* what() const noexcept override { return "exit"; }

 private:
  int code_;
};

// The program's command line: its own options and commands are added to root(), then parse()
// reads argv and runs the commands named.
class CommandLine {
 public:
  CommandLine(const std::string& description, const std::string& version);
  ~CommandLine();
  Command& root() { return root_; }
  // The exit code when the command line was wrong, --help or --version was asked, or a command
  // threw UsageError or ExitCode (CLI11 has printed what it prints); nothing when the commands
  // ran. Other exceptions from the commands go through.
  std::optional<int> parse(int argc, char** argv);

 private:
  std::unique_ptr<CLI::App> app_;
  Command root_;
};

}  // namespace ferlab::cli
