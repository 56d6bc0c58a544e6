// Symbol visibility for the SDK. Plugins are built with -fvisibility=hidden so two plugins'
// symbols never shadow each other; SDK interface classes stay visible so their vtables and
// type information are shared between the kernel and every plugin.
#pragma once

#define FERLAB_API __attribute__((visibility("default")))
