// Runs whose process died: they stay 'running' in the database only until noticed here.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>

#include "storage/sqlite.hpp"

namespace ferlab::storage {

// How old a heartbeat may be before its run counts as dead. Training beats at least every
// minute (run::Heartbeat), so this leaves room for a slow disk or a suspended laptop.
inline constexpr std::chrono::minutes stale_after{10};

// Marks 'running' runs as 'interrupted' when their heartbeat is older than `max_age`, or when
// they were started on `host` by a process `alive` says is gone. Returns how many it marked.
int mark_stale_runs(Database& db, const std::string& host, std::chrono::seconds max_age,
                    const std::function<bool(std::int64_t pid)>& alive);

// Whether a process of that id exists on this machine.
bool process_alive(std::int64_t pid);

// This machine's name as recorded with every run.
std::string host_name();

}  // namespace ferlab::storage
