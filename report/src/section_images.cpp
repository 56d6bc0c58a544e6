// Image sections: confidently misclassified test faces, preprocessing / augmentation previews,
// and Grad-CAM heatmaps — PNG blobs the runs stored as artifacts, inlined as data URIs.
#include <fmt/format.h>

#include <set>

#include "report/html_text.hpp"
#include "report/sections.hpp"

namespace ferlab::report {
namespace {

// The artifacts of one kind of the first run of a variant that has any.
std::vector<const Artifact*> artifacts_of(const Variant& v, const std::string& kind,
                                          const RunData** from) {
  for (const RunData* run : v.runs) {
    std::vector<const Artifact*> out;
    for (const Artifact& a : run->artifacts)
      if (a.kind == kind && a.data && a.mime && a.mime->rfind("image/", 0) == 0) out.push_back(&a);
    if (!out.empty()) {
      *from = run;
      return out;
    }
  }
  return {};
}

// The images of one kind of a variant; those already in `shown` (the same bytes: variants with the
// same preprocessing and augmentation have the same previews) are left out.
std::string gallery(const Variant& v, const std::string& kind, const std::string& css_class,
                    std::set<std::string>& shown) {
  const RunData* run = nullptr;
  std::vector<const Artifact*> images;
  for (const Artifact* a : artifacts_of(v, kind, &run))
    if (shown.insert(*a->data).second) images.push_back(a);
  if (images.empty()) return "";
  std::string figures;
  for (const Artifact* a : images)
    figures += fmt::format(
        "<figure class=\"{}\"><img src=\"{}\" alt=\"{}\"><figcaption>{}</figcaption></figure>",
        css_class, data_uri(*a->mime, *a->data), escape(a->name),
        escape(a->caption.value_or(a->name)));
  return fmt::format(
      "<div class=\"gallery\" data-kind=\"{}\" data-variant=\"{}\"><h3>{} (run {}, seed {})</h3>"
      "<div class=\"images\">{}</div></div>",
      escape(kind), escape(v.label), escape(v.label), run->row.id, run->row.seed, figures);
}

const char* nothing_stored =
    "<p class=\"missing\">No images of this kind are stored in the run database for these "
    "runs.</p>";

}  // namespace

std::string examples_section(const PageContext& page) {
  std::string misclassified, previews;
  std::set<std::string> shown;
  for (const Variant& v : page.variants) {
    misclassified += gallery(v, "misclassified", "thumb", shown);
    previews += gallery(v, "preview", "preview", shown);
  }
  std::string body =
      "<h3>Most confidently misclassified test images</h3><p class=\"note\">Best checkpoint; "
      "captions give the true and predicted class and the predicted probability.</p>" +
      (misclassified.empty() ? nothing_stored : misclassified) +
      "<h3>Preprocessing and augmentation previews</h3>" +
      (previews.empty() ? nothing_stored : previews);
  return section("examples", "Examples", body);
}

std::string gradcam_section(const PageContext& page) {
  const Variant* best = best_variant(page.variants);
  std::set<std::string> shown;
  std::string images = best ? gallery(*best, "gradcam", "thumb", shown) : "";
  std::string body =
      "<p class=\"note\">Grad-CAM of the best variant (chosen on validation), best checkpoint: "
      "the ReLU of the last spatial feature map (layer named in each caption) weighted by the "
      "spatial mean of the gradient of the predicted class's logit, overlaid on a correctly and "
      "an incorrectly classified test face per class.</p>" +
      (images.empty() ? nothing_stored : images);
  return section("gradcam", "What the model looks at", body);
}

}  // namespace ferlab::report
