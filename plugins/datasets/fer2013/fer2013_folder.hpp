// FER2013 as the image-folder redistribution: <split>/<class>/<image>.
#pragma once

#include <ferlab/events.hpp>
#include <ferlab/sample.hpp>
#include <filesystem>

namespace fer2013 {

// train/ -> train, validation/ (or val/, PublicTest/) -> val, test/ (or PrivateTest/) -> test.
// When there is no validation folder, test/ holds both and the file-name prefixes
// PublicTest_ / PrivateTest_ tell them apart. Class folders may use any spelling of the
// emotions; labels follow the canonical FER2013 order. Ids are paths relative to `root`.
ferlab::DatasetContents read_folder(const std::filesystem::path& root, ferlab::EventSink& events);

}  // namespace fer2013
