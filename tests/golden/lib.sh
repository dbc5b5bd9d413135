# Shared helpers for the end-to-end shell tests (sourced). Env from ctest: AIM_BUILD, AIM_SRC,
# AIM_SHARED, AIM_TMP.
set -u
: "${AIM_BUILD:?run through ctest}"
AIM=$AIM_BUILD/ainimotion
GEN=$AIM_BUILD/aim_gen
T=$AIM_TMP/$(basename "$0" .sh)
rm -rf "$T"; mkdir -p "$T"
fails=0; checks=0

ok()   { checks=$((checks+1)); }
bad()  { checks=$((checks+1)); fails=$((fails+1)); echo "FAIL: $*" >&2; }
check() { # description, command...
    local d=$1; shift
    if "$@"; then ok; else bad "$d"; fi
}
eq() { # description, got, want
    if [ "$2" = "$3" ]; then ok; else bad "$1: got '$2', want '$3'"; fi
}
finish() {
    echo "$(basename "$0" .sh): $checks checks, $fails failed" >&2
    [ "$fails" = 0 ]
}
skip() { echo "SKIP: $*" >&2; exit 77; }

# probe FILE ENTRIES [STREAM]: ffprobe values, one per line
probe() {
    local sel=()
    [ $# -ge 3 ] && sel=(-select_streams "$3")
    ffprobe -v error "${sel[@]}" -show_entries "$2" -of default=nw=1:nk=1 "$1"
}
# Packets of non-video streams: pts, size, payload hash (bit-identity check). Durations are
# left out: Matroska's muxer decides per block whether to store one (SimpleBlock vs BlockGroup),
# so a demuxer may report N/A for a block the input stored with a duration.
side_packets() {
    ffprobe -v error -show_packets -show_data_hash MD5 -select_streams "$2" \
        -show_entries packet=pts,size,data_hash -of csv=p=0 "$1"
}

# check_passthrough IN OUT: every non-video stream, chapter and tag carried through unchanged
check_passthrough() {
    local in=$1 out=$2
    eq "stream types in order" "$(probe "$out" stream=codec_type | tr '\n' ' ')" \
       "$(probe "$in" stream=codec_type | tr '\n' ' ')"
    eq "codecs of copied streams" "$(probe "$out" stream=codec_type,codec_name | paste - - | grep -v '^video' | tr '\n' ' ')" \
       "$(probe "$in" stream=codec_type,codec_name | paste - - | grep -v '^video' | tr '\n' ' ')"
    eq "audio packets bit-identical" "$(side_packets "$out" a | md5sum)" "$(side_packets "$in" a | md5sum)"
    check "audio present" test -n "$(side_packets "$out" a)"
    eq "subtitle packets identical" "$(side_packets "$out" s | md5sum)" "$(side_packets "$in" s | md5sum)"
    check "subtitles present" test -n "$(side_packets "$out" s)"
    eq "stream tags (language, title, filename, mimetype)" \
       "$(ffprobe -v error -show_entries stream=index:stream_tags=language,title,filename,mimetype -of csv=p=0 "$out" | grep -v '^0,')" \
       "$(ffprobe -v error -show_entries stream=index:stream_tags=language,title,filename,mimetype -of csv=p=0 "$in" | grep -v '^0,')"
    eq "dispositions" "$(ffprobe -v error -show_entries stream=index:stream_disposition=default,forced -of csv=p=0 "$out")" \
       "$(ffprobe -v error -show_entries stream=index:stream_disposition=default,forced -of csv=p=0 "$in")"
    local d=$T/att_$RANDOM
    mkdir -p "$d/in" "$d/out"
    (cd "$d/in" && ffmpeg -nostdin -v quiet -dump_attachment:t "" -i "$in" >/dev/null 2>&1; true)
    (cd "$d/out" && ffmpeg -nostdin -v quiet -dump_attachment:t "" -i "$out" >/dev/null 2>&1; true)
    check "font attachment extracted" test -n "$(ls "$d/out")"
    eq "font bytes identical" "$(cd "$d/out" && md5sum * 2>/dev/null)" "$(cd "$d/in" && md5sum * 2>/dev/null)"
    rm -rf "$d"
    eq "chapters" "$(ffprobe -v error -show_chapters -of csv=p=0 "$out")" "$(ffprobe -v error -show_chapters -of csv=p=0 "$in")"
    check "chapters present" test -n "$(ffprobe -v error -show_chapters -of csv=p=0 "$out")"
    eq "global title" "$(probe "$out" format_tags=title)" "$(probe "$in" format_tags=title)"
}
# frames FILE: number of decoded video frames
frames() { ffprobe -v error -count_frames -select_streams v:0 -show_entries stream=nb_read_frames -of csv=p=0 "$1"; }
# rate_eq DESCRIPTION GOT WANT: frame rates (num/den) within 1 ppm. Matroska stores the rate as
# a nanosecond DefaultDuration, so 48000/1001 reads back as 7001/146 (0.13 ppm off) from any
# MKV writer, the ffmpeg CLI's included.
rate_eq() {
    if awk -v g="$2" -v w="$3" 'BEGIN { split(g, a, "/"); split(w, b, "/");
            if (a[2] == 0 || b[2] == 0) exit 1; x = a[1] / a[2]; y = b[1] / b[2];
            d = x - y; if (d < 0) d = -d; exit !(d <= y * 1e-6) }'; then ok; else bad "$1: got '$2', want '$3'"; fi
}
