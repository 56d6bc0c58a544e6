// The only file of the CLI that compiles CLI11 (see command_line.hpp).
#include "command_line.hpp"

#include <CLI/CLI.hpp>

namespace ferlab::cli {

Option* Option::required() {
  option_->required();
  return this;
}

Option* Option::capture_default_str() {
  option_->capture_default_str();
  return this;
}

Option* Option::type_name(const std::string& name) {
  option_->type_name(name);
  return this;
}

namespace {

// CLI11's PositiveNumber says "Value 0 not in range 0.000000 to 1797...(300 digits)"; the
// type name it adds (INT:POSITIVE) stays in --help.
CLI::Validator at_least(double low, bool low_allowed, const std::string& expected,
                        const std::string& name) {
  return CLI::Validator(
      [=](std::string& text) -> std::string {
        double value = 0;
        if (CLI::detail::lexical_cast(text, value) && (low_allowed ? value >= low : value > low))
          return {};
        return "expected " + expected + ", got '" + text + "'";
      },
      name);
}

}  // namespace

Option* Option::check(Check check) {
  switch (check) {
    case Check::positive_number:
      option_->check(at_least(0, false, "a number above 0", "POSITIVE"));
      break;
    case Check::non_negative_number:
      option_->check(at_least(0, true, "0 or more", "NONNEGATIVE"));
      break;
  }
  return this;
}

Option* Option::check_one_of(const std::vector<std::string>& allowed) {
  option_->check(CLI::IsMember(allowed));
  return this;
}

Option* Option::needs(Option* other) {
  option_->needs(other->option_);
  return this;
}

Option* Option::excludes(Option* other) {
  option_->excludes(other->option_);
  return this;
}

Option* Option::delimiter(char separator) {
  option_->delimiter(separator);
  return this;
}

Command* Command::add_subcommand(const std::string& name, const std::string& description) {
  return &subcommands_.emplace_back(app_->add_subcommand(name, description));
}

void Command::require_subcommand(int count) { app_->require_subcommand(count); }

template <typename T>
Option* Command::add_option(const std::string& name, T& value, const std::string& description) {
  return &options_.emplace_back(app_->add_option(name, value, description));
}

// The value types the commands' options have; another one is a link error naming it.
template Option* Command::add_option(const std::string&, std::string&, const std::string&);
template Option* Command::add_option(const std::string&, int&, const std::string&);
template Option* Command::add_option(const std::string&, long&, const std::string&);
template Option* Command::add_option(const std::string&, double&, const std::string&);
template Option* Command::add_option(const std::string&, std::vector<std::string>&,
                                     const std::string&);
template Option* Command::add_option(const std::string&, std::vector<std::int64_t>&,
                                     const std::string&);

Option* Command::add_flag(const std::string& name, bool& value, const std::string& description) {
  return &options_.emplace_back(app_->add_flag(name, value, description));
}

void Command::callback(std::function<void()> run) {
  app_->callback([run = std::move(run)] {
    try {
      run();
    } catch (const UsageError& e) {
      if (e.option().empty()) throw CLI::ValidationError(e.what());
      throw CLI::ValidationError(e.option(), e.what());
    } catch (const ExitCode& e) {
      throw CLI::RuntimeError(e.code());
    }
  });
}

CommandLine::CommandLine(const std::string& description, const std::string& version)
    : app_(std::make_unique<CLI::App>(description)), root_(app_.get()) {
  app_->set_version_flag("--version", version);
}

CommandLine::~CommandLine() = default;

std::optional<int> CommandLine::parse(int argc, char** argv) {
  try {
    app_->parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app_->exit(e);
  }
  return std::nullopt;
}

}  // namespace ferlab::cli
