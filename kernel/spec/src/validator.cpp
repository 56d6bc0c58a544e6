#include "spec/validator.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <ferlab/schema_check.hpp>
#include <map>
#include <set>

#include "loader/text.hpp"
#include "spec/kernel_schema.hpp"

namespace ferlab::spec {
namespace {

std::string describe_node(const SpecNode& node) {
  switch (node.type) {
    case SpecNode::Type::null:
      return "empty";
    case SpecNode::Type::scalar:
      return "'" + node.scalar + "'";
    case SpecNode::Type::sequence:
      return "a list";
    case SpecNode::Type::map:
      return "a map";
  }
  return "?";
}

class Validator {
 public:
  Validator(const kernel::PluginCatalog& catalog, ProblemList& problems)
      : catalog_(catalog), problems_(problems) {}

  RunSpec run(const SpecNode& tree) {
    RunSpec run;
    if (!tree.is_map()) {
      problems_.add(tree.location, "", "expected a map of sections, got " + describe_node(tree));
      return run;
    }
    SpecNode resolved = section(tree, experiment_schema(), "", run);
    run.resolved_yaml = to_yaml(resolved);
    fill_run(run);
    return run;
  }

 private:
  // Validates a map against a kernel section; returns the resolved map.
  SpecNode section(const SpecNode& node, const Section& schema, const std::string& path,
                   RunSpec& run) {
    SpecNode resolved = SpecNode::make_map(node.location);
    for (const auto& [key, value] : node.fields) {
      if (!schema.find(key))
        problems_.add(value.key_location, child_path(path, key),
                      fmt::format("unknown key '{}'{}", key, did_you_mean(key, schema.keys())));
    }
    for (const Field& field : schema.fields) {
      const SpecNode* value = node.find(field.key);
      std::string field_path = child_path(path, field.key);
      switch (field.type) {
        case Field::Type::param:
          if (auto v = value_of(value, field.param, field_path, node.location)) {
            section_params_[path].set(field.key, *v);
            resolved.set(field.key, from_value(*v));
          }
          break;
        case Field::Type::section: {
          SpecNode empty = SpecNode::make_map(node.location);
          const SpecNode* sub = value ? value : &empty;
          if (!sub->is_map() && !sub->is_null()) {
            problems_.add(sub->location, field_path, "expected a map, got " + describe_node(*sub));
            break;
          }
          resolved.set(field.key,
                       section(sub->is_null() ? empty : *sub, *field.section, field_path, run));
          break;
        }
        case Field::Type::plugin:
          if (!value || value->is_null()) {
            if (field.required)
              problems_.add(node.location, field_path,
                            fmt::format("missing required key '{}'", field.key));
            break;
          }
          if (auto call = plugin(*value, field.plugin_kind, field_path)) {
            resolved.set(field.key, call->second);
            store_plugin(field_path, call->first, run);
          }
          break;
        case Field::Type::plugin_list:
          resolved.set(field.key,
                       plugin_list(value, field.plugin_kind, field_path,
                                   field.key == "preprocess" ? run.preprocess : run.augment));
          break;
        case Field::Type::layer_list:
          if (value && !value->is_null()) resolved.set(field.key, layers(*value, field_path, run));
          break;
        case Field::Type::sweep:
        case Field::Type::search:
          break;  // expanded before validation
      }
    }
    if (path == "model") check_model(node);
    if (path == "train.distill") check_distill(node);
    return resolved;
  }

  // One value against its spec: the typed value, the default when absent, or nullopt after
  // reporting a problem (missing required key, wrong type, out of range).
  std::optional<Value> value_of(const SpecNode* value, const ParamSpec& spec,
                                const std::string& path, const Location& parent_location) {
    if (!value || value->is_null()) {
      if (!spec.required()) return spec.default_value;
      problems_.add(parent_location, path,
                    fmt::format("missing required key '{}': expected {}", spec.name,
                                describe_expected(spec)));
      return std::nullopt;
    }
    std::string expected;
    std::optional<Value> raw = to_value(*value);
    std::optional<Value> typed = raw ? coerce(*raw, spec, expected) : std::nullopt;
    if (!typed)
      problems_.add(
          value->location, path,
          fmt::format("expected {}, got {}", describe_expected(spec), describe_node(*value)));
    return typed;
  }

  // Checks a plugin map's keys against the plugin's schema. Returns the call and resolved map.
  std::optional<std::pair<PluginCall, SpecNode>> plugin_call(const SpecNode& node, Kind kind,
                                                             const std::string& name_key,
                                                             const std::string& path,
                                                             const std::set<std::string>& extra) {
    const SpecNode* name_node = node.is_map() ? node.find(name_key) : &node;
    if (node.is_map() && !name_node) {
      problems_.add(node.location, path,
                    fmt::format("missing required key '{}': expected the name of a {} plugin",
                                name_key, to_string(kind)));
      return std::nullopt;
    }
    if (!name_node->is_scalar()) {
      problems_.add(name_node->location, node.is_map() ? child_path(path, name_key) : path,
                    fmt::format("expected the name of a {} plugin or a map with '{}', got {}",
                                to_string(kind), name_key, describe_node(*name_node)));
      return std::nullopt;
    }
    const std::string& name = name_node->scalar;
    const kernel::PluginInfo* info = catalog_.find(kind, name);
    if (!info) {
      problems_.add(name_node->location, node.is_map() ? child_path(path, name_key) : path,
                    catalog_.unknown_plugin(kind, name));
      return std::nullopt;
    }
    const Schema& schema = info->factory.schema;
    std::vector<std::string> keys = {name_key};
    keys.insert(keys.end(), extra.begin(), extra.end());
    for (const ParamSpec& spec : schema) keys.push_back(spec.name);
    SpecNode resolved = SpecNode::make_map(node.location);
    resolved.set(name_key, SpecNode::make_scalar(name));
    if (node.is_map()) {
      for (const auto& [key, value] : node.fields) {
        if (std::find(keys.begin(), keys.end(), key) == keys.end())
          problems_.add(value.key_location, child_path(path, key),
                        fmt::format("unknown key '{}' for {} plugin '{}'{}", key, to_string(kind),
                                    name, did_you_mean(key, keys)));
        else if (extra.count(key))
          resolved.set(key, value);
      }
    }
    PluginCall call{name, info->library->version, {}};
    std::map<std::string, Value> values;
    for (const ParamSpec& spec : schema) {
      const SpecNode* value = node.is_map() ? node.find(spec.name) : nullptr;
      if (auto v = value_of(value, spec, child_path(path, spec.name), node.location)) {
        values[spec.name] = *v;
        resolved.set(spec.name, from_value(*v));
        if (value) call.written.push_back(spec.name);
      }
    }
    call.params = Params(values);
    return std::make_pair(call, resolved);
  }

  std::optional<std::pair<PluginCall, SpecNode>> plugin(const SpecNode& node, Kind kind,
                                                        const std::string& path) {
    return plugin_call(node, kind, "plugin", path, {});
  }

  SpecNode plugin_list(const SpecNode* node, Kind kind, const std::string& path,
                       std::vector<PluginCall>& out) {
    SpecNode resolved;
    resolved.type = SpecNode::Type::sequence;
    if (!node || node->is_null()) return resolved;
    if (!node->is_sequence()) {
      problems_.add(node->location, path,
                    fmt::format("expected a list of {} plugins, got {}", to_string(kind),
                                describe_node(*node)));
      return resolved;
    }
    for (size_t i = 0; i < node->items.size(); ++i) {
      if (auto call = plugin(node->items[i], kind, index_path(path, i))) {
        out.push_back(call->first);
        resolved.items.push_back(call->second);
      }
    }
    return resolved;
  }

  // An inline network: each layer names its type, optionally its name and inputs.
  SpecNode layers(const SpecNode& node, const std::string& path, RunSpec& run) {
    SpecNode resolved;
    resolved.type = SpecNode::Type::sequence;
    if (!node.is_sequence() || node.items.empty()) {
      problems_.add(node.location, path,
                    "expected a non-empty list of layers, got " + describe_node(node));
      return resolved;
    }
    std::set<std::string> names = {"input"};
    for (size_t i = 0; i < node.items.size(); ++i) {
      const SpecNode& item = node.items[i];
      std::string item_path = index_path(path, i);
      if (!item.is_map()) {
        problems_.add(item.location, item_path,
                      "expected a map with 'type' (a layer plugin), got " + describe_node(item));
        continue;
      }
      auto call = plugin_call(item, Kind::layer, "type", item_path, {"name", "inputs"});
      if (!call) continue;
      LayerDef layer{
          fmt::format("{}{}", call->first.plugin, i), call->first.plugin, {}, call->first.params};
      if (const SpecNode* name = item.find("name")) {
        if (!name->is_scalar() || name->scalar.empty())
          problems_.add(name->location, child_path(item_path, "name"), "expected a layer name");
        else
          layer.name = name->scalar;
      }
      if (const SpecNode* inputs = item.find("inputs")) {
        std::vector<const SpecNode*> refs;
        if (inputs->is_scalar()) refs.push_back(inputs);
        for (const SpecNode& r : inputs->items) refs.push_back(&r);
        for (const SpecNode* ref : refs) {
          if (!ref->is_scalar() || !names.count(ref->scalar)) {
            std::vector<std::string> known(names.begin(), names.end());
            problems_.add(ref->location, child_path(item_path, "inputs"),
                          fmt::format("input {} is not an earlier layer{}", describe_node(*ref),
                                      ref->is_scalar() ? did_you_mean(ref->scalar, known) : ""));
            continue;
          }
          layer.inputs.push_back(ref->scalar);
        }
      }
      if (!names.insert(layer.name).second)
        problems_.add(item.location, item_path,
                      fmt::format("layer name '{}' is used twice", layer.name));
      call->second.set("name", SpecNode::make_scalar(layer.name));
      run.layers.layers.push_back(std::move(layer));
      resolved.items.push_back(call->second);
    }
    return resolved;
  }

  // Exactly one way to give the network.
  void check_model(const SpecNode& model) {
    bool has_backbone = model.find("backbone") != nullptr;
    bool has_layers = model.find("layers") != nullptr;
    if (has_backbone == has_layers)
      problems_.add(model.location, "model",
                    has_backbone ? "give either 'backbone' or 'layers', not both"
                                 : "missing required key 'backbone' (or 'layers')");
  }

  // A teacher's TTA needs images of its own: with sees: augmented it gets the student's batch.
  void check_distill(const SpecNode& distill) {
    const SpecNode* tta = distill.find("tta");
    const SpecNode* sees = distill.find("sees");
    const bool original = sees && sees->is_scalar() && sees->scalar == "original";
    if (tta && tta->is_scalar() && tta->scalar != "none" && !original)
      problems_.add(tta->location, "train.distill.tta",
                    "a teacher's TTA needs 'sees: original' (teachers that see the student's "
                    "augmented batches take them as they are)");
  }

  void store_plugin(const std::string& path, PluginCall call, RunSpec& run) {
    if (path == "dataset")
      run.dataset = std::move(call);
    else if (path == "model.backbone")
      run.backbone = std::move(call);
  }

  // Copies the kernel sections' typed values into the RunSpec.
  void fill_run(RunSpec& run) {
    auto get = [this](const std::string& section, const std::string& key) -> const Value& {
      static const Value none;
      const Params& p = section_params_[section];
      return p.values().count(key) ? p.at(key) : none;
    };
    auto num = [&](const std::string& s, const std::string& k, double fallback) {
      const Value& v = get(s, k);
      if (const auto* d = std::get_if<double>(&v)) return *d;
      if (const auto* i = std::get_if<std::int64_t>(&v)) return double(*i);
      return fallback;
    };
    auto text = [&](const std::string& s, const std::string& k) {
      const Value& v = get(s, k);
      return std::holds_alternative<std::string>(v) ? std::get<std::string>(v) : std::string();
    };
    auto flag = [&](const std::string& s, const std::string& k) {
      const Value& v = get(s, k);
      return std::holds_alternative<bool>(v) && std::get<bool>(v);
    };
    // The schema offered only the enum's names, so a value that does not parse is a bug here.
    auto choice = [&]<typename E>(const std::string& s, const std::string& k, E fallback) {
      const Value& v = get(s, k);
      if (!std::holds_alternative<std::string>(v)) return fallback;
      if (auto parsed = options::parse<E>(std::get<std::string>(v))) return *parsed;
      throw std::logic_error(s + "." + k + ": '" + std::get<std::string>(v) +
                             "' passed the schema");
    };
    auto strings = [&](const std::string& s, const std::string& k) {
      const Value& v = get(s, k);
      using L = std::vector<std::string>;
      return std::holds_alternative<L>(v) ? std::get<L>(v) : L();
    };
    run.experiment = text("", "name");
    if (const auto* seeds = std::get_if<std::vector<std::int64_t>>(&get("", "seeds")))
      run.seeds = *seeds;
    if (!run.seeds.empty()) run.seed = run.seeds.front();
    run.description = text("", "description");
    options::TrainOptions& t = run.train;
    t.epochs = int(num("train", "epochs", t.epochs));
    t.batch = int(num("train", "batch", t.batch));
    t.select_on = choice("train", "select_on", t.select_on);
    t.early_stopping_patience = int(num("train", "early_stopping", 0));
    t.grad_clip = num("train", "grad_clip", 0);
    t.label_smoothing = num("train", "label_smoothing", 0);
    t.sync_batchnorm = flag("train", "sync_batchnorm");
    t.allreduce_bucket_mb = num("train", "allreduce_bucket_mb", t.allreduce_bucket_mb);
    t.class_weights = choice("train", "class_weights", t.class_weights);
    t.init = choice("train", "init", t.init);
    t.freeze = strings("train", "freeze");
    t.freeze_stages = int(num("train", "freeze_stages", 0));
    t.distill.teachers = strings("train.distill", "teacher");
    t.distill.temperature = num("train.distill", "temperature", t.distill.temperature);
    t.distill.weight = num("train.distill", "weight", t.distill.weight);
    t.distill.sees = choice("train.distill", "sees", t.distill.sees);
    t.distill.tta = choice("train.distill", "tta", t.distill.tta);
    run.init_from = text("model", "init_from");
    options::OptimizerOptions& o = t.optimizer;
    o.name = choice("train.optimizer", "name", o.name);
    o.lr = num("train.optimizer", "lr", o.lr);
    o.momentum = num("train.optimizer", "momentum", o.momentum);
    o.nesterov = flag("train.optimizer", "nesterov");
    o.weight_decay = num("train.optimizer", "weight_decay", o.weight_decay);
    o.beta1 = num("train.optimizer", "beta1", o.beta1);
    o.beta2 = num("train.optimizer", "beta2", o.beta2);
    o.eps = num("train.optimizer", "eps", o.eps);
    options::ScheduleOptions& s = t.schedule;
    s.name = choice("train.schedule", "name", s.name);
    s.warmup_epochs = int(num("train.schedule", "warmup_epochs", 0));
    s.step_size = int(num("train.schedule", "step_size", s.step_size));
    s.gamma = num("train.schedule", "gamma", s.gamma);
    if (const auto* m =
            std::get_if<std::vector<std::int64_t>>(&get("train.schedule", "milestones")))
      s.milestones = *m;
    s.patience = int(num("train.schedule", "patience", s.patience));
    s.factor = num("train.schedule", "factor", s.factor);
    s.min_lr = num("train.schedule", "min_lr", s.min_lr);
    run.eval_splits = strings("evaluate", "splits");
    run.tta.clear();
    for (const std::string& mode : strings("evaluate", "tta")) {
      auto parsed = options::parse<options::Tta>(mode);
      if (!parsed) throw std::logic_error("evaluate.tta: '" + mode + "' passed the schema");
      run.tta.push_back(*parsed);
    }
  }

  const kernel::PluginCatalog& catalog_;
  ProblemList& problems_;
  std::map<std::string, Params> section_params_;  // kernel section path -> its typed params
};

}  // namespace

RunSpec validate_run(const SpecNode& tree, const kernel::PluginCatalog& catalog,
                     ProblemList& problems) {
  return Validator(catalog, problems).run(tree);
}

}  // namespace ferlab::spec
