// rnnpool: the command-line front end of RNNPool Studio's core.
#include <algorithm>
#include <iostream>
#include <map>
#include <sstream>

#include "cli/arguments.h"
#include "cli/commands.h"

namespace {

constexpr const char* kUsage = R"(usage: rnnpool <command> [options]

commands:
  run      [--model FILE] [--arch NAME] [--dtype f32|i8] (--image IMG [--size WxH] | --tensor X.npy)
           [--dump DIR] [--dump-layers] [--threshold T] [--annotate OUT.png] [--json]
           [--rnn-layout auto|current|legacy] [--pyramid LEVELS] [--box-vote IOU]
           Detect faces. Without --model, the default model is used. --pyramid 1-4: also run the
           input's halves and merge (large faces); default: what the model file declares (3 for the default model
           and its int8 twin), else 1. --box-vote IOU: each box kept by NMS becomes the score-weighted mean of
           the boxes it suppressed that overlap it by at least IOU (default 0: EdgeML's NMS). --annotate writes the picture
           with its boxes and scores.
           A model without a detector (an .onnx file, a classifier) prints its graph outputs and, with --dump,
           writes DIR/<output name>.npy; --image is resized to --size (default: the model's) and normalised as
           [--order rgb|bgr] [--scale S] [--mean M] [--std S]: x = (pixel * S - mean) / std (defaults rgb, 1/255, 0, 1).
  info     [--model FILE | --arch NAME] [--input WxH[xC]] [--json]
           Layers with output shapes, parameters and multiply-adds. Without either, the default model.
           FILE may be .pth, .safetensors, a .json spec or an .onnx graph (every command's --model takes the same).
  convert  IN.pth [--arch NAME] [--rnn-layout auto|current|legacy] -o OUT.safetensors
           Write the native model file (weights plus architecture spec).
  bench    [--model FILE | --arch NAME] [--dtype f32|i8] [--size WxH] [--threads N] [--runs N] [--pytorch] [--pyramid LEVELS] [--json]
           Median milliseconds per frame (default model without either); --pytorch also times
           tools/reference in the same run, frame for frame; --pyramid also times whole detections with the
           input alone and with that many pyramid levels, alternating.
  profile  [--arch NAME | --model FILE] [--input WxHxC] [--schedule layerwise|paper|rowstream|linebuffer] [--dtype f32|i16|i8]
           [--count-input] [--set KEY=VALUE]... [--board NAME] [--execute] [--pyramid LEVELS] [--json | --csv]
           Parameters, multiply-adds and peak activation memory (default model without either);
           --execute runs in a metered arena (the float32 engine; with --dtype i8 the int8 engine,
           streaming kernels included, on --model FILE or the default model; linebuffer runs in int8 only);
           --board stm32f439zi|nrf52840|stm32l4r5zi|custom:sram=S,flash=F,clock=C reports the fit
           and estimated latencies under each cost profile; [--rnn-density W1,U1,W2,U2] for sparse RNNPool.
  zoo      [--dtype f32|i16|i8] [--count-input] [--json]
           The built-in architectures with parameters, multiply-adds and peaks under both schedules.
  compare  A B ... [--input WxH[xC]] [--dtype f32|i16|i8] [--count-input] [--board NAME]
           [--schedule paper|layerwise] [--json]
           The same for the named architectures or model files (.pth, .safetensors, .json, .onnx), side by
           side; --board adds the fit (under --schedule, default paper) and estimated latencies.
  diff     A B [--image P [--size WxH] | --tensor X.npy] [--runs N] [--json]
           Two models layer by layer (files of any kind, int8 files, or built-in names): layers paired by name,
           or by position where the names differ; shapes, parameters, MAdds, bytes and, on an input, median
           times and B's difference from A (max |A-B|, SQNR dB). E.g. a model against its int8 twin or fine-tune.
  sweep    (--arch NAME | --model FILE) --param KEY --values V1,V2,... [--dtype f32|i16|i8] [--count-input] [--json]
           Parameters, multiply-adds and peaks as one setting varies (rnnpool.h1, rnnpool.patch, input, ...).
  eval     [--model FILE | --arch NAME] [--dtype f32|i8] [--detector model,model-i8,haar] --images DIR --labels labels.txt
           [--min-face PX] [--limit N] [--pyramid LEVELS] [--box-vote IOU] [--shard I/N] [--json]
           Average precision at IoU 0.5 (VOC all points), the precision/recall curve (at most 300 points;
           the AP uses all), recall per face size. --shard I/N evaluates pictures I, I+N, ... and, with
           --json, writes a part for eval-merge.
  eval-merge PART.json... [--json]
           Merge the parts of 'eval --shard I/N --json' (every I once) into the result of one run.
  paper-tables [--json]
           Our parameters, multiply-adds and peak RAM beside the paper's Tables 1, 3, 4 and 5, with the
           convention each column counts by and the figures that are not reproduced, and why.
  check-q15 DIR [--dump OUTDIR] [--json]
           Our integer RNNPool (Q15 FastGRNN, core/integer) on a folder of EdgeML integer-RNNPool goldens
           (the format of ../shared/reference/edgeml-q15: manifest.json and .npy files): how many outputs
           match bit for bit, per case (entry point q15/q7, scale mode div/shift). --dump writes
           <entry>_<mode>_output.npy for each case. Exit 1 on a bad folder or any mismatch.
  deploy   [--model M] [--board netduinoplus2|stm32f439zi|stm32f405] [--size WxH]
           [--schedule layerwise|paper|rowstream|linebuffer] [--pyramid N] -o DIR [--json]
           A C project for the Cortex-M4 from the int8 model (kernels copied from core/integer, weights as
           const arrays, one static arena, straight-line calls, rnnpool_model.h), built and sized; a model
           that does not fit is refused with the numbers before anything is written. paper and rowstream
           run the int8 streaming kernels at the desktop plan's offsets; rowstream reads the picture row by
           row into a ring (RNNPool-Face-M4 at 320x240 in 128 KiB of SRAM); linebuffer keeps every map a
           few rows at a time (the same model in 64 KiB, at more instructions). --pyramid N: the detector's
           image pyramid, every level in the firmware (level 1 made from the input's rows in CCM).
  m4       check-q15 DIR | check-int8 | run ... | boards (rnnpool m4 help)
           Firmware on an emulated Cortex-M4 (QEMU netduinoplus2): the int8 model run on the chip with
           instructions per layer and --dump as run --dtype i8; the Q15 RNNPool and int8 kernels checked
           bit for bit on the chip; the boards and their memory regions.
  quantize [--model FILE | --arch NAME] [--calibrate DIR]... [--no-samples] [--limit N]
           [--method mse|percentile|minmax] [--percentile P] -o OUT.safetensors
           Post-training quantisation to int8 (per-channel weights, calibrated activations); the file
           runs with run/eval/bench --dtype i8 --model OUT.safetensors.
  quant-report [--model FILE] [--int8 FILE] [--images DIR [--labels labels.txt] [--min-face PX]] [--limit N]
           [--threshold T] [--json]
           Per layer SQNR of the int8 engine against float, scales, ranges and saturation; detection
           agreement (F1 at IoU 0.5) and, with labels, AP float and int8. --int8 FILE alone is compared
           with the float model it was made from (its file name, in FILE's folder).
  help     This text. `rnnpool <command> --help` shows one command's part; --version the version.

Sizes are width x height, as cameras name them: --size 320x240 (at most 4096 a side and 16.8 MP).
Wherever --model FILE is taken, FILE may also be an architecture spec (.json): its network with
seeded random weights, checked as every spec is.
Exit status: 0 success, 1 bad input (the reason is on stderr), 2 bad usage.
)";

// One command's part of the usage text: its line and the indented lines under it.
std::string commandUsage(const std::string& command)
{
    std::istringstream lines(kUsage);
    std::string line, out;
    bool inside = false;
    while (std::getline(lines, line)) {
        const bool commandLine = line.size() > 2 && line.compare(0, 2, "  ") == 0 && line[2] != ' ';
        if (commandLine)
            inside = line.compare(2, command.size() + 1, command + " ") == 0 || line.substr(2) == command;
        else if (line.empty() || line[0] != ' ')
            inside = false;
        if (inside)
            out += line + "\n";
    }
    return out;
}

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
        {"run", commandRun}, {"info", commandInfo}, {"convert", commandConvert}, {"bench", commandBench}, {"profile", commandProfile}, {"zoo", commandZoo}, {"compare", commandCompare}, {"diff", commandDiff}, {"sweep", commandSweep}, {"eval", commandEval}, {"paper-tables", commandPaperTables}, {"quantize", commandQuantize}, {"quant-report", commandQuantReport}, {"check-q15", commandCheckQ15}, {"eval-merge", commandEvalMerge}, {"m4", commandM4}, {"deploy", commandDeploy}};
    if (command == "help" || command == "--help" || command == "-h") {
        if (args.size() == 1 && commands.count(args.front())) {
            std::cout << "usage: rnnpool " << commandUsage(args.front()).substr(2);
            return kExitOk;
        }
        std::cout << kUsage;
        return kExitOk;
    }
    if (command == "--version" || command == "-V" || command == "version") {
        std::cout << "rnnpool " << RNNPOOL_VERSION << "\n";
        return kExitOk;
    }
    const auto it = commands.find(command);
    if (it == commands.end()) {
        std::cerr << "rnnpool: unknown command '" << command << "'\n" << kUsage;
        return kExitUsage;
    }
    // `rnnpool run --help`: that command's part of the usage, before its own option parsing.
    if (std::any_of(args.begin(), args.end(), [](const std::string& a) { return a == "--help" || a == "-h"; })) {
        std::cout << "usage: rnnpool " << commandUsage(command).substr(2);
        return kExitOk;
    }
    try {
        return it->second(args);
    } catch (const std::exception& e) {
        // Core code reports problems as values; this is a last line of defence.
        std::cerr << "rnnpool " << command << ": internal error: " << e.what() << "\n";
        return kExitBadInput;
    }
}
