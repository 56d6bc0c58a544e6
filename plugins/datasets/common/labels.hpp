// FER2013's canonical classes and the names people give them (folder names, split folders).
#pragma once

#include <string>
#include <vector>

namespace datasets {

// Canonical order: 0=angry 1=disgust 2=fear 3=happy 4=sad 5=surprise 6=neutral.
inline const std::vector<std::string> kFerClasses = {"angry", "disgust",  "fear",   "happy",
                                                     "sad",   "surprise", "neutral"};

// Lower-case letters and digits only: "Sad ", "SAD" and "sad" compare equal.
std::string simplify(const std::string& name);

// The canonical index of a class name or common synonym ("anger", "Happiness"), or -1.
int fer_label(const std::string& name);

// "train", "val" or "test" for split folder names ("training", "validation", "PublicTest",
// "PrivateTest", ...), or "" when the name is not a split.
std::string split_name(const std::string& name);

}  // namespace datasets
