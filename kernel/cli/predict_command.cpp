// `ferlab predict --model NAME|RUN|CHECKPOINT INPUT...`: every face in images, folders, videos
// and cameras (or, with --whole-image, each image as one face crop), classified with the
// model's own preprocessing chain; one JSON line per face (or per frame without faces), saying
// which mode found it; annotated copies with --out.
#include <fmt/format.h>

#include <chrono>
#include <cmath>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "engine/threads.hpp"
#include "predict/annotate.hpp"
#include "predict/annotated_output.hpp"
#include "predict/predictor.hpp"

namespace ferlab::cli {
namespace {

using json = nlohmann::ordered_json;  // classes stay in the model's order

struct Options {
  std::vector<std::string> models;
  std::string db = "ferlab.db", out, json_path;
  std::vector<std::string> inputs;
  int smooth = 1, threads = 0;
  long max_frames = 0;
  bool whole_image = false;
  predict::DetectorOptions detector;
};

json face_line(const predict::Input& input, const predict::Frame& frame, std::size_t faces,
               predict::FaceMode mode) {
  return {{"input", input.name},
          {"frame", frame.index},
          {"time_ms", std::round(frame.time_ms * 1000) / 1000},
          {"mode", predict::to_string(mode)},
          {"faces", faces}};
}

json by_class(const std::vector<float>& p, const std::vector<std::string>& classes) {
  json out = json::object();
  for (std::size_t c = 0; c < classes.size(); ++c) out[classes[c]] = p.at(c);
  return out;
}

// The JSON lines of one frame: one per face, or one saying there is none.
void write_lines(std::ostream& out, const predict::Input& input, const predict::Frame& frame,
                 const std::vector<predict::FacePrediction>& faces,
                 const std::vector<std::string>& classes, bool smoothing, predict::FaceMode mode) {
  if (faces.empty()) out << face_line(input, frame, 0, mode).dump() << '\n';
  for (std::size_t i = 0; i < faces.size(); ++i) {
    const predict::FacePrediction& f = faces[i];
    json line = face_line(input, frame, faces.size(), mode);
    line["face"] = i;
    line["track"] = f.track;
    line["box"] = {f.box.x, f.box.y, f.box.width, f.box.height};
    line["label"] = classes.at(static_cast<std::size_t>(f.label));
    line["confidence"] = f.smoothed.at(static_cast<std::size_t>(f.label));
    line["probabilities"] = by_class(f.smoothed, classes);
    if (smoothing) line["frame_probabilities"] = by_class(f.probabilities, classes);
    out << line.dump() << '\n';
  }
}

predict::FaceMode face_mode(const Options& o) {
  return o.whole_image ? predict::FaceMode::whole_image : predict::FaceMode::detect;
}

struct Totals {
  long frames = 0, faces = 0, skipped = 0;
  double seconds = 0;
};

void predict_input(const Options& o, const predict::Input& input, predict::Predictor& predictor,
                   const assembly::ModelSet& model, std::ostream& lines,
                   std::optional<predict::AnnotatedOutput>& annotated, Totals& totals) {
  predict::FrameReader reader(input);
  predictor.start_input();
  if (annotated) annotated->begin(input, reader.fps());
  predict::Frame frame;
  while (reader.next(frame)) {
    const auto start = std::chrono::steady_clock::now();
    const std::vector<predict::FacePrediction> faces = predictor.run(frame.image);
    totals.seconds +=
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    ++totals.frames;
    totals.faces += static_cast<long>(faces.size());
    write_lines(lines, input, frame, faces, model.classes(), o.smooth > 1, face_mode(o));
    if (annotated) {
      predict::annotate(frame.image, faces, model.classes());
      annotated->write(frame.image);
    }
    if (o.max_frames > 0 && frame.index + 1 >= o.max_frames) break;
  }
  if (annotated) annotated->end();
  lines.flush();
}

void run_predict(const GlobalOptions& global, const Options& o) {
  if (o.threads > 0) engine::set_threads(o.threads);
  kernel::PluginCatalog catalog;
  if (!load_catalog(global, catalog)) throw ExitCode(exit_failure);
  assembly::ModelSet model = assembly::load_models(catalog, o.models, o.db);
  predict::Predictor predictor(model, o.detector, o.smooth, face_mode(o));
  std::optional<predict::AnnotatedOutput> annotated;
  if (!o.out.empty()) annotated.emplace(o.out);
  std::ofstream lines_file;
  if (!o.json_path.empty() && o.json_path != "-") {
    lines_file.open(o.json_path, std::ios::trunc);
    if (!lines_file) throw std::runtime_error(o.json_path + ": cannot write the JSON lines");
  }
  std::ostream& lines = lines_file.is_open() ? lines_file : std::cout;

  const predict::ExpandedInputs expanded = predict::expand_inputs(o.inputs);
  Totals totals;
  auto skip = [&](const std::string& name, const std::string& why) {
    fmt::print(stderr, "skipped {}\n", why);
    lines << json{{"input", name}, {"error", why}}.dump() << '\n';
    ++totals.skipped;
  };
  for (const predict::ExpandedInputs::Problem& p : expanded.problems) skip(p.argument, p.why);
  for (const predict::Input& input : expanded.inputs) {
    try {
      predict_input(o, input, predictor, model, lines, annotated, totals);
    } catch (const std::exception& e) {
      skip(input.name, e.what());
    }
  }
  fmt::print(stderr, "{} frame{}, {} face{}, {:.1f} frames/s (detection and classification){}\n",
             totals.frames, totals.frames == 1 ? "" : "s", totals.faces,
             totals.faces == 1 ? "" : "s",
             totals.seconds > 0 ? static_cast<double>(totals.frames) / totals.seconds : 0.0,
             totals.skipped ? fmt::format("; {} input(s) skipped", totals.skipped) : "");
  if (!lines) throw std::runtime_error("cannot write the JSON lines");
  if (totals.skipped) throw ExitCode(exit_failure);
}

}  // namespace

void add_predict_command(Command& app, GlobalOptions& global) {
  auto* cmd = app.add_subcommand(
      "predict", "Find the faces in images, folders, videos or a camera and classify them");
  auto o = std::make_shared<Options>();
  cmd->add_option("--model", o->models,
                  "Shipped model name (`ferlab models`), run id (its best checkpoint) or "
                  "checkpoint file; repeat for an ensemble (the mean of their probabilities)")
      ->type_name("NAME|RUN_ID|CHECKPOINT")
      ->required();
  cmd->add_option("--db", o->db, "Run database, for a run id")->capture_default_str();
  cmd->add_option("inputs", o->inputs, "Images, folders of images, video files, camera:N")
      ->required();
  cmd->add_option("--out", o->out, "Write annotated images and videos (.avi) to this folder")
      ->type_name("DIR");
  cmd->add_option("--json", o->json_path, "Write the JSON lines here instead of standard output")
      ->type_name("FILE");
  cmd->add_option("--smooth", o->smooth, "Average each face's probabilities over N frames")
      ->check(Check::positive_number)
      ->capture_default_str();
  cmd->add_option("--max-frames", o->max_frames, "Stop each video or camera after N frames")
      ->check(Check::non_negative_number);
  cmd->add_option("--threads", o->threads, "Threads for the network (0: all cores)")
      ->check(Check::non_negative_number);
  cmd->add_flag("--whole-image", o->whole_image,
                "Take each image (or frame) as one face crop, without face detection: for "
                "folders of faces already cropped, such as 48x48 FER2013 images");
  cmd->add_option("--cascade", o->detector.cascade,
                  "Haar cascade (a file, or a name in "
                  "opencv-data)")
      ->capture_default_str();
  cmd->add_option("--min-face", o->detector.min_face, "Smallest face side, in pixels")
      ->check(Check::positive_number)
      ->capture_default_str();
  cmd->add_option("--detect-width", o->detector.detect_width,
                  "Search wider frames for faces at this width")
      ->check(Check::positive_number)
      ->capture_default_str();
  cmd->callback([&global, o] { run_predict(global, *o); });
}

}  // namespace ferlab::cli
