#!/usr/bin/env bash
# Bitmap subtitles (PGS, as on Blu-ray rips): carried into .mkv packet for packet, in sync, with
# everything else; dropped from .mp4/.mov (which carry only mov_text) with one warning naming
# the stream, exit 0, nothing else lost. ffmpeg cannot make bitmap subtitles from text, so
# aim_gen writes them (--pgs, tests/gen/pgs.c) and ffmpeg muxes them beside its ASS track.
. "$(dirname "$0")/lib.sh"
# FLAC audio for .mkv; AAC for .mp4/.mov (.mov takes no FLAC)
for a in flac aac; do
    "$GEN" "$T/clip_$a.mkv" --duration 2 --size 160x96 --audio-codec "$a" --pgs "$T/subs.sup" \
        >/dev/null 2>&1 || { bad "aim_gen --pgs"; finish; exit; }
    ffmpeg -nostdin -v error -copyts -i "$T/clip_$a.mkv" -i "$T/subs.sup" -map 0 -map 1 -c copy \
        "$T/in_$a.mkv" || { bad "ffmpeg mux"; finish; exit; }
done
cp "$T/in_flac.mkv" "$T/in.mkv"
# the input really holds bitmap subtitles: 3 events, each a shown and a cleared display set
eq "input: one PGS stream" "$(probe "$T/in.mkv" stream=codec_name | grep -c '^hdmv_pgs_subtitle$')" 1
pgs_packets() { # FILE: pts, size and payload hash of the PGS stream's packets
    local i; i=$(probe "$1" stream=index,codec_name | paste -d, - - | sed -n 's/,hdmv_pgs_subtitle$//p')
    [ -n "$i" ] && ffprobe -v error -show_packets -show_data_hash MD5 -select_streams "$i" \
        -show_entries packet=pts_time,size,data_hash -of csv=p=0 "$1"
}
pin=$(pgs_packets "$T/in.mkv")
eq "input: PGS packets at 0.2, 0.6, 0.8, 1.2, 1.4, 1.8 s" \
   "$(cut -d, -f1 <<<"$pin" | sort -u | tr '\n' ' ')" \
   "0.200000 0.600000 0.800000 1.200000 1.400000 1.800000 "
md5_in=$(md5sum < "$T/in.mkv")
nin=$(frames "$T/in.mkv")

"$AIM" enhance "$T/in.mkv" --out "$T/out.mkv" -q 2>"$T/err"
eq ".mkv: exit code" "$?" 0
eq ".mkv: no warning ($(cat "$T/err"))" "$(grep -c . "$T/err")" 0
eq ".mkv: PGS packets identical, same times" "$(pgs_packets "$T/out.mkv")" "$pin"
eq ".mkv: frames" "$(frames "$T/out.mkv")" "$((2 * nin))"
check_passthrough "$T/in.mkv" "$T/out.mkv" # audio, ASS, font, chapters, tags: unchanged

for c in mp4 mov; do
    "$AIM" enhance "$T/in_aac.mkv" --out "$T/out.$c" -q 2>"$T/err"
    eq ".$c: exit code" "$?" 0
    eq ".$c: one warning names the bitmap subtitles" \
       "$(grep -c '(subtitle hdmv_pgs_subtitle) cannot be stored in' "$T/err")" 1
    check ".$c: says dropped" grep -q 'hdmv_pgs_subtitle) cannot be stored in .*; dropped$' "$T/err"
    eq ".$c: streams (ASS as mov_text, no PGS; chapters as data)" \
       "$(probe "$T/out.$c" stream=codec_type,codec_name | paste -d: - - | grep -v ':data$' | tr '\n' ' ')" \
       "h264:video aac:audio mov_text:subtitle "
    # (the MP4 muxer stores the AAC priming as a negative start: the payloads are compared)
    eq ".$c: audio payloads bit-identical" \
       "$(side_packets "$T/out.$c" a | grep -o 'MD5:[0-9a-f]*' | md5sum)" \
       "$(side_packets "$T/in_aac.mkv" a | grep -o 'MD5:[0-9a-f]*' | md5sum)"
    eq ".$c: frames" "$(frames "$T/out.$c")" "$((2 * nin))"
done
eq "input unchanged" "$(md5sum < "$T/in.mkv")" "$md5_in"
finish
