// The fuzzers link OpenCV's codecs in (kernel/media/codecs.cpp) instead of loading
// libferlab_media.so beside the SDK (kernel/sdk/src/media_loader.cpp): their build has no SDK
// library to load it beside.
#include "codecs.hpp"

namespace ferlab::media::detail {

const Codecs& codecs() { return *ferlab_media_codecs_v1(); }

}  // namespace ferlab::media::detail
