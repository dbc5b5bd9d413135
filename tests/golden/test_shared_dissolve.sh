#!/usr/bin/env bash
# Dissolve frames at cuts on real anime (issue 14, item 4): at hand-checked cuts of
# ../shared/clips/dbz_640x342.mp4 a blended frame (A + B) / 2 is put between the last frame of
# shot A and the first of shot B, as DVD-era and field-blended sources show them. Neither
# interval around it may be motion (the engine would warp a shot toward a double exposure),
# and no other interval becomes a cut. 350 and 475 are the cuts where the gate called one or
# both intervals motion before the dissolve-frame rule; 28 and 870 were right already.
# Then enhance: the frames around it are blends or copies, never flow.
. "$(dirname "$0")/lib.sh"
clip=$AIM_SHARED/clips/dbz_640x342.mp4
[ -f "$clip" ] || skip "$clip not found (../shared absent)"

# dissolve CUT OUT: frames CUT-16 .. CUT-1, the average of CUT-1 and CUT, frames CUT .. CUT+15
dissolve() { bash "$(dirname "$0")/dissolve_clip.sh" "$clip" "$1" "$2"; }

for c in 28 350 475 870; do
    dissolve "$c" "$T/d$c.mkv" || { bad "ffmpeg: dissolve clip at $c"; continue; }
    "$AIM" analyze "$T/d$c.mkv" --csv "$T/d$c.csv" -q
    eq "$c: analyze exit" "$?" 0
    # the blended frame is frame 16: intervals 16 (A -> D) and 17 (D -> B)
    got=$(awk -F, '$1 == 16 || $1 == 17 { printf "%s ", $2 }' "$T/d$c.csv")
    check "cut $c: A -> (A+B)/2 and (A+B)/2 -> B are cut or fade (got: $got)" \
        awk -v g="$got" 'BEGIN { n = split(g, a, " "); if (n != 2) exit 1;
                                 for (k = 1; k <= n; k++) if (a[k] != "cut" && a[k] != "fade") exit 1 }'
    # other cuts: only the truth's (350's clip holds the cut at 340, its frame 6)
    truth=$(awk -F, -v c="$c" '$2 == "cut" && $1 >= c - 16 && $1 < c { printf "%d ", $1 - c + 16 }' \
        "$AIM_SHARED/clips/truth/dbz_640x342.csv")
    others=$(awk -F, 'NR > 1 && $1 != 16 && $1 != 17 && $2 == "cut" { printf "%s ", $1 }' "$T/d$c.csv")
    eq "cut $c: no other cut than the truth's" "$others" "$truth"
done

# end to end at 59.94 on one of them: the output frames between A's last and B's first frame are
# blends of their neighbours (fade) or copies, so the report shows no motion there
"$AIM" enhance "$T/d475.mkv" --out "$T/o475.y4m" --fps 60 --scale 1 --report "$T/r.json" -y -q
eq "enhance 60: exit" "$?" 0
eq "enhance 60: intervals 16 and 17 are not motion" \
    "$(grep -o '"frame": 1[67], "class": "[a-z]*"' "$T/r.json" | grep -c motion)" 0
finish
