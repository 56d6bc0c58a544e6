#include "run/progress.hpp"

#include <fmt/format.h>
#include <unistd.h>

#include <cstdio>

namespace ferlab::run {
namespace {

std::string duration(double seconds) {
  int s = static_cast<int>(seconds + 0.5);
  return s >= 3600 ? fmt::format("{}h{:02}m", s / 3600, s / 60 % 60)
                   : fmt::format("{}m{:02}s", s / 60, s % 60);
}

}  // namespace

Progress::Progress(std::string what, int epochs)
    : what_(std::move(what)),
      epochs_(epochs),
      terminal_(isatty(STDERR_FILENO)),
      start_(std::chrono::steady_clock::now()) {}

void Progress::step(int epoch, int done, int total, double loss, int batch_size) {
  if (!terminal_ || total <= 0) return;
  using clock = std::chrono::steady_clock;
  auto now = clock::now();
  if (epoch != epoch_) epoch_ = epoch, epoch_start_ = now;
  if (done < total && now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  double elapsed = std::chrono::duration<double>(now - start_).count();
  double in_epoch = std::chrono::duration<double>(now - epoch_start_).count();
  double images_per_second = in_epoch > 0 ? done * batch_size / in_epoch : 0;
  double fraction = ((epoch - 1) + double(done) / total) / epochs_;
  double eta = fraction > 0 ? elapsed * (1 - fraction) / fraction : 0;
  int width = 24, filled = static_cast<int>(width * double(done) / total);
  fmt::print(stderr, "\r\033[K{} epoch {}/{} [{}{}] {}/{} loss {:.4f} {:.0f} img/s ETA {}", what_,
             epoch, epochs_, std::string(filled, '#'), std::string(width - filled, '.'), done,
             total, loss, images_per_second, duration(eta));
}

void Progress::epoch(const engine::EpochStats& s) {
  if (terminal_) fmt::print(stderr, "\r\033[K");
  fmt::print(stderr,
             "{} epoch {}/{}: train loss {:.4f} acc {:.4f} | val loss {:.4f} acc {:.4f} "
             "macro-F1 {:.4f} | lr {:.3g} | {:.1f}s {:.0f} img/s{}\n",
             what_, s.epoch, epochs_, s.train_loss, s.train_accuracy, s.val_loss, s.val_accuracy,
             s.val_macro_f1, s.lr, s.seconds, s.images_per_second, s.best ? " *" : "");
}

}  // namespace ferlab::run
