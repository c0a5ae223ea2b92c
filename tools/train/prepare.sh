#!/bin/bash
# Prepares everything the training run needs, on a Debian 12 machine with espeak-ng, flite, festival and ffmpeg:
#   1. English prose from Debian packages (fortunes, fortunes-min, python3.11-doc, debian-reference-en), unpacked
#      with dpkg -x into work/textroot (nothing is installed), and the sentence list work/sentences.tsv;
#   2. work/carry/synth.tgz: espeak-ng and flite with every library they load (glibc apart) and the English espeak
#      data, so a GPU machine without them can synthesise (device_run.sh unpacks it);
#   3. work/codec_set.npz: the MP3/Opus round-trip portion (ffmpeg runs here only);
#   4. the development and evaluation sets (make_dev_set.py, make_eval_sets.py).
# Then: device_run.sh on the GPU machine (or train.py on any machine), export_onnx.py, build_lm.py, evaluate.ts.
set -euo pipefail
cd "$(dirname "$0")"
mkdir -p work/debs work/carry
(cd work/debs && apt-get download fortunes fortunes-min python3.11-doc debian-reference-en)
for f in work/debs/*.deb; do dpkg -x "$f" work/textroot; done
nice -n 19 /usr/bin/python3 corpus.py

stage=work/stage
rm -rf "$stage" && mkdir -p "$stage/lib" "$stage/bin" "$stage/espeak-ng-data"
(ldd /usr/bin/espeak-ng; ldd /usr/bin/flite) | awk '/=>/{print $3}' | sort -u | grep -vE 'libc\.so|libm\.so|ld-linux' |
  xargs -I{} cp -L {} "$stage/lib/"
cp /usr/bin/espeak-ng "$stage/bin/espeak-ng.real"
cp /usr/bin/flite "$stage/bin/flite.real"
data=/usr/lib/x86_64-linux-gnu/espeak-ng-data
cp -r $data/phondata $data/phonindex $data/phontab $data/intonations $data/lang $data/voices $data/en_dict \
  "$stage/espeak-ng-data/"
for b in espeak-ng flite; do
  cat >"$stage/bin/$b" <<WRAP
#!/bin/sh
# Runs the carried binary against the carried libraries only (the host's glibc apart).
here=\$(dirname "\$0")
ESPEAK_DATA_PATH="\$here/.." LD_LIBRARY_PATH="\$here/../lib" exec "\$here/$b.real" "\$@"
WRAP
  chmod +x "$stage/bin/$b"
done
tar -czf work/carry/synth.tgz -C "$stage" .

nice -n 19 /usr/bin/python3 codec_set.py --count 400
nice -n 19 /usr/bin/python3 make_dev_set.py --count 80
nice -n 19 /usr/bin/python3 make_eval_sets.py --count 120
