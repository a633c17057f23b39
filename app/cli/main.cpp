// rnnpool: the command-line front end of RNNPool Studio's core.
#include <iostream>
#include <map>

#include "cli/arguments.h"
#include "cli/commands.h"

namespace {

constexpr const char* kUsage = R"(usage: rnnpool <command> [options]

commands:
  run      [--model FILE] [--arch NAME] (--image IMG [--size WxH] | --tensor X.npy)
           [--dump DIR] [--dump-layers] [--threshold T] [--annotate OUT.png] [--json]
           [--rnn-layout auto|current|legacy]
           Detect faces. Without --model, the default model is used. --annotate writes the picture
           with its boxes and scores.
  info     [--model FILE | --arch NAME] [--input WxH[xC]] [--json]
           Layers with output shapes, parameters and multiply-adds. Without either, the default model.
  convert  IN.pth [--arch NAME] [--rnn-layout auto|current|legacy] -o OUT.safetensors
           Write the native model file (weights plus architecture spec).
  bench    [--model FILE | --arch NAME] [--size WxH] [--threads N] [--runs N] [--pytorch] [--json]
           Median milliseconds per frame (default model without either); --pytorch also times
           tools/reference in the same run, frame for frame.
  profile  (--arch NAME | --model FILE) [--input WxHxC] [--schedule layerwise|paper] [--dtype f32|i16|i8]
           [--count-input] [--set KEY=VALUE]... [--board NAME] [--execute] [--json | --csv]
           Parameters, multiply-adds and peak activation memory; --execute runs in a metered arena;
           --board stm32f439zi|nrf52840|stm32l4r5zi|custom:sram=S,flash=F,clock=C reports the fit
           and estimated latencies under each cost profile; [--rnn-density W1,U1,W2,U2] for sparse RNNPool.
  zoo      [--dtype f32|i16|i8] [--count-input] [--json]
           The built-in architectures with parameters, multiply-adds and peaks under both schedules.
  compare  A B ... [--input WxH[xC]] [--dtype f32|i16|i8] [--count-input] [--board NAME] [--json]
           The same for the named architectures, side by side; --board adds estimated latencies.
  sweep    --arch NAME --param KEY --values V1,V2,... [--dtype f32|i16|i8] [--count-input] [--json]
           Parameters, multiply-adds and peaks as one setting varies (rnnpool.h1, rnnpool.patch, input, ...).
  eval     [--model FILE | --arch NAME] [--detector model|haar|model,haar] --images DIR --labels labels.txt
           [--min-face PX] [--limit N] [--json]
           Average precision at IoU 0.5 (VOC all points), the precision/recall curve, recall per face size.
  paper-tables [--json]
           Our parameters, multiply-adds and peak RAM beside the paper's Tables 1, 3, 4 and 5, with the
           convention each column counts by and the figures that are not reproduced, and why.
  help     This text.

Sizes are width x height, as cameras name them: --size 320x240 (at most 4096 a side and 16.8 MP).
Wherever --model FILE is taken, FILE may also be an architecture spec (.json): its network with
seeded random weights, checked as every spec is.
Exit status: 0 success, 1 bad input (the reason is on stderr), 2 bad usage.
)";

} // namespace

int main(int argc, char** argv)
{
    using namespace rnnpool::cli;
    if (argc < 2) {
        std::cerr << kUsage;
        return kExitUsage;
    }
    const std::string command = argv[1];
    const std::vector<std::string> args(argv + 2, argv + argc);
    const std::map<std::string, int (*)(const std::vector<std::string>&)> commands{
        {"run", commandRun}, {"info", commandInfo}, {"convert", commandConvert}, {"bench", commandBench}, {"profile", commandProfile}, {"zoo", commandZoo}, {"compare", commandCompare}, {"sweep", commandSweep}, {"eval", commandEval}, {"paper-tables", commandPaperTables}};
    if (command == "help" || command == "--help" || command == "-h") {
        std::cout << kUsage;
        return kExitOk;
    }
    const auto it = commands.find(command);
    if (it == commands.end()) {
        std::cerr << "rnnpool: unknown command '" << command << "'\n" << kUsage;
        return kExitUsage;
    }
    try {
        return it->second(args);
    } catch (const std::exception& e) {
        // Core code reports problems as values; this is a last line of defence.
        std::cerr << "rnnpool " << command << ": internal error: " << e.what() << "\n";
        return kExitBadInput;
    }
}
