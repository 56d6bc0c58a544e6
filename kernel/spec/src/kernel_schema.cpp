#include "spec/kernel_schema.hpp"

#include "options/train_options.hpp"

namespace ferlab::spec {
namespace {

using ferlab::param::choice;
using ferlab::param::flag;
using ferlab::param::int_list;
using ferlab::param::integer;
using ferlab::param::number;
using ferlab::param::string_list;
using ferlab::param::text;

Field param_field(ParamSpec spec) {
  Field f;
  f.key = spec.name;
  f.type = Field::Type::param;
  f.doc = spec.doc;
  f.param = std::move(spec);
  return f;
}

Field section_field(std::string key, const Section& section, std::string doc) {
  Field f;
  f.key = std::move(key);
  f.type = Field::Type::section;
  f.section = &section;
  f.doc = std::move(doc);
  return f;
}

Field plugin_field(std::string key, Field::Type type, Kind kind, bool required, std::string doc) {
  Field f;
  f.key = std::move(key);
  f.type = type;
  f.plugin_kind = kind;
  f.required = required;
  f.doc = std::move(doc);
  return f;
}

// A choice among an option enum's names (options/train_options.hpp), `fallback` its default.
template <typename E>
ParamSpec choice_of(std::string key, E fallback, std::string doc) {
  return choice(std::move(key), options::name_of(fallback), options::names_of<E>(), std::move(doc));
}

ParamSpec with_choices(ParamSpec spec, std::vector<std::string> choices) {
  spec.choices = std::move(choices);
  return spec;
}

const Section& optimizer_schema() {
  const options::OptimizerOptions d;
  static const Section s{{
      param_field(choice_of("name", d.name, "optimizer")),
      param_field(number("lr", d.lr, 0.0, 10.0, "base learning rate")),
      param_field(number("momentum", d.momentum, 0.0, 0.999, "SGD momentum")),
      param_field(flag("nesterov", d.nesterov, "SGD with Nesterov momentum")),
      param_field(number("weight_decay", d.weight_decay, 0.0, 1.0,
                         "L2 penalty (sgd, adam) or decoupled decay (adamw)")),
      param_field(number("beta1", d.beta1, 0.0, 0.9999, "Adam first-moment decay")),
      param_field(number("beta2", d.beta2, 0.0, 0.99999, "Adam second-moment decay")),
      param_field(number("eps", d.eps, 0.0, 1.0, "Adam denominator epsilon")),
  }};
  return s;
}

const Section& schedule_schema() {
  const options::ScheduleOptions d;
  static const Section s{{
      param_field(choice_of("name", d.name, "learning-rate schedule")),
      param_field(integer("warmup_epochs", d.warmup_epochs, 0, 1000, "linear warm-up epochs")),
      param_field(integer("step_size", d.step_size, 1, 100000, "step: epochs between decays")),
      param_field(number("gamma", d.gamma, 0.0, 1.0, "step/multistep: decay factor")),
      param_field(
          int_list("milestones", d.milestones, 1, 100000, "multistep: epochs at which to decay")),
      param_field(integer("patience", d.patience, 1, 1000,
                          "plateau: epochs without improvement of select_on before decaying")),
      param_field(number("factor", d.factor, 0.0, 1.0, "plateau: decay factor")),
      param_field(number("min_lr", d.min_lr, 0.0, 10.0, "floor of the learning rate")),
  }};
  return s;
}

const Section& distill_schema() {
  const options::DistillOptions d;
  static const Section s{{
      param_field(string_list("teacher", {},
                              "teacher models (shipped model names, checkpoint files or run "
                              "ids; several = their mean probabilities)")),
      param_field(number("temperature", d.temperature, 0.05, 100.0,
                         "softens teacher and student probabilities (1 = unchanged)")),
      param_field(number("weight", d.weight, 0.0, 1.0,
                         "share of the distillation term in the loss (0 = plain training)")),
      param_field(choice_of("sees", d.sees,
                            "augmented: teachers see each of the student's batches (and must "
                            "share its preprocessing); original: each training image once, "
                            "before training, through their own preprocessing")),
      param_field(choice_of("tta", d.tta,
                            "with sees: original, the views each teacher averages over "
                            "(as evaluate's tta)")),
  }};
  return s;
}

const Section& train_schema() {
  const options::TrainOptions d;
  static const Section s{{
      param_field(integer("epochs", d.epochs, 1, 100000, "training epochs")),
      param_field(integer("batch", d.batch, 1, 65536, "mini-batch size")),
      section_field("optimizer", optimizer_schema(), "optimizer and its settings"),
      section_field("schedule", schedule_schema(), "learning-rate schedule"),
      param_field(choice_of("select_on", d.select_on,
                            "validation metric that chooses the best checkpoint")),
      param_field(integer("early_stopping", d.early_stopping_patience, 0, 100000,
                          "stop after this many epochs without improvement (0 = off)")),
      param_field(
          number("grad_clip", d.grad_clip, 0.0, 1e6, "max global gradient L2 norm (0 = off)")),
      param_field(
          number("label_smoothing", d.label_smoothing, 0.0, 0.999, "label smoothing of the loss")),
      param_field(flag("sync_batchnorm", d.sync_batchnorm,
                       "data-parallel training (mpirun): batchnorm statistics over the whole "
                       "batch, not each process's part")),
      param_field(number("allreduce_bucket_mb", d.allreduce_bucket_mb, 0, 4096,
                         "data-parallel training (mpirun): MiB of gradients summed at once, "
                         "each bucket during the backward pass (0: all after it)")),
      param_field(choice_of("class_weights", d.class_weights,
                            "loss weights: none, or inverse class frequency")),
      param_field(choice_of("init", d.init,
                            "weight initialisation: he N(0, 2/fan_in), xavier, or pytorch "
                            "U(+-1/sqrt(fan_in)) (PyTorch's default for conv and dense)")),
      param_field(string_list("freeze", {},
                              "layers left untrained (fine-tuning): names, or prefixes ending "
                              "in '*'")),
      param_field(integer("freeze_stages", d.freeze_stages, 0, 1000,
                          "leave the backbone's first N stages untrained (fine-tuning)")),
      section_field("distill", distill_schema(),
                    "knowledge distillation from teacher models (Hinton et al. 2015)"),
  }};
  return s;
}

const Section& model_schema() {
  static const Section s{{
      plugin_field("backbone", Field::Type::plugin, Kind::backbone, false,
                   "a backbone plugin and its parameters"),
      plugin_field("layers", Field::Type::layer_list, Kind::layer, false,
                   "an inline network: a list of layers (instead of a backbone)"),
      param_field(text("init_from", "",
                       "a checkpoint file or shipped model name (`ferlab models`) to start "
                       "from (fine-tuning): its tensors replace the "
                       "initial weights where name and shape match; others, such as a new "
                       "classifier head, keep their initialisation")),
  }};
  return s;
}

const Section& evaluate_schema() {
  static const Section s{{
      param_field(with_choices(string_list("splits", {"val", "test"}, "splits to evaluate"),
                               {"train", "val", "test"})),
      // Each mode is evaluated and recorded separately (run/tta.hpp).
      param_field(with_choices(string_list("tta", {options::name_of(options::Tta::none)},
                                           "test-time augmentation modes: none, hflip (average "
                                           "with the mirror), ten-crop (corners, centre, mirrors)"),
                               options::names_of<options::Tta>())),
  }};
  return s;
}

}  // namespace

const Field* Section::find(const std::string& key) const {
  for (const Field& f : fields)
    if (f.key == key) return &f;
  return nullptr;
}

std::vector<std::string> Section::keys() const {
  std::vector<std::string> out;
  for (const Field& f : fields) out.push_back(f.key);
  return out;
}

const Section& experiment_schema() {
  static const Section s{{
      param_field(text("name", std::nullopt, "experiment name")),
      param_field(text("description", "", "what the experiment shows")),
      param_field(int_list("seeds", {1}, 0, 4294967295.0,
                           "training seeds; each variant runs once per seed")),
      plugin_field("dataset", Field::Type::plugin, Kind::dataset, true, "the dataset plugin"),
      plugin_field("preprocess", Field::Type::plugin_list, Kind::preprocessor, false,
                   "preprocessing chain, applied once per image in order"),
      plugin_field("augment", Field::Type::plugin_list, Kind::augmenter, false,
                   "training-time augmentation, applied in order"),
      section_field("model", model_schema(), "the network"),
      section_field("train", train_schema(), "training recipe"),
      section_field("evaluate", evaluate_schema(), "evaluation"),
      plugin_field("sweep", Field::Type::sweep, Kind::dataset, false,
                   "key paths mapped to lists of values; runs take their cartesian product"),
      plugin_field("search", Field::Type::search, Kind::dataset, false,
                   "trials drawn from distributions over key paths (random or halving)"),
  }};
  return s;
}

}  // namespace ferlab::spec
