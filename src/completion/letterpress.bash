# letterpress.bash - bash completion for the letterpress command: commands,
# the options of each, templates (*.md), data files, PDFs, keys and values.
# Installed as PREFIX/share/bash-completion/completions/letterpress; it
# needs nothing from the bash-completion package.

# Sets COMPREPLY to the files under $1 whose names end in one of the
# extensions that follow, and to directories (to walk into).
_letterpress_files() {
  local cur=$1 ext line
  shift
  COMPREPLY=()
  for ext in "$@"; do
    while IFS= read -r line; do
      COMPREPLY+=("$line")
    done < <(compgen -f -X "!*.$ext" -- "$cur")
  done
  while IFS= read -r line; do
    COMPREPLY+=("$line")
  done < <(compgen -d -- "$cur")
  compopt -o filenames 2>/dev/null
  return 0
}

# Sets COMPREPLY to the words of $2 that start with $1.
_letterpress_words() {
  local line
  COMPREPLY=()
  while IFS= read -r line; do
    COMPREPLY+=("$line")
  done < <(compgen -W "$2" -- "$1")
  return 0
}

_letterpress() {
  local cur=${COMP_WORDS[COMP_CWORD]}
  local prev=${COMP_WORDS[COMP_CWORD - 1]}
  local cmd=${COMP_WORDS[1]}
  COMPREPLY=()

  if [ "$COMP_CWORD" -eq 1 ]; then
    _letterpress_words "$cur" "render merge manifest-check sign timestamp fields fonts --help --version"
    return 0
  fi

  local limits="--max-input-size --max-pages --max-depth --max-image-pixels"
  local signing="--key --cert --chain --pass --field --reason --location --name --contact --image"
  local timestamping="--tsa --tsa-user --tsa-pass --ltv --ocsp --crl"
  local protecting="--password --owner-password --permissions"
  local opts=""
  case $cmd in
    render)
      opts="-d --data -o --output --set --meta --blanks --attach-data --force --format
            --encoding --delimiter $protecting $limits"
      local o
      for o in $signing; do opts="$opts --sign-${o#--}"; done
      opts="$opts $timestamping"
      ;;
    merge)
      opts="-d --data -o --output --combined -j --jobs -k --keep-going
            --skip-existing --shard --manifest --format --encoding --delimiter --check
            --set --blanks --attach-data $protecting $limits
            --eml --from --to --cc --bcc --reply-to --attach --subject --body --smtp --smtp-user
            --smtp-pass --log --rate --retries --dry-run $timestamping
            --tsa-retries --tsa-rate"
      local s
      for s in $signing; do opts="$opts --sign-${s#--}"; done
      ;;
    sign) opts="-o --output $signing $timestamping --password" ;;
    timestamp) opts="-o --output $timestamping --password" ;;
    fonts) opts="--lang" ;;
    fields) opts="" ;;
    manifest-check)
      _letterpress_files "$cur" jsonl part
      return 0 ;;
    *) return 0 ;;
  esac
  [ "$cmd" = sign ] || [ "$cmd" = timestamp ] || opts="$opts --font-path --system-fonts"
  opts="$opts --help"

  # The value of the option before the cursor.
  case $prev in
    -d|--data)
      _letterpress_files "$cur" json jsonl ndjson csv tsv
      return 0 ;;
    -o|--output)
      case $cmd in
        merge) COMPREPLY=(); compopt -o nospace 2>/dev/null
               _letterpress_files "$cur" ;;
        *) _letterpress_files "$cur" pdf ;;
      esac
      return 0 ;;
    --combined)
      _letterpress_files "$cur" pdf
      return 0 ;;
    --manifest)
      _letterpress_files "$cur" jsonl
      return 0 ;;
    --shard)
      _letterpress_words "$cur" "auto auto/"
      compopt -o nospace 2>/dev/null
      return 0 ;;
    --font-path)
      COMPREPLY=($(compgen -d -- "$cur"))
      return 0 ;;
    --key|--sign-key)
      _letterpress_files "$cur" pem key p12 pfx
      return 0 ;;
    --image|--sign-image)
      _letterpress_files "$cur" png jpg jpeg
      return 0 ;;
    --cert|--sign-cert|--chain|--sign-chain)
      _letterpress_files "$cur" pem crt cer
      return 0 ;;
    --permissions)
      _letterpress_words "$cur" "print print-low fill annotate copy assemble modify all none"
      return 0 ;;
    --pass|--sign-pass|--password|--owner-password)
      if [[ $cur == file:* ]]; then
        _letterpress_files "${cur#file:}"
        local i
        for i in "${!COMPREPLY[@]}"; do COMPREPLY[i]="file:${COMPREPLY[i]}"; done
      else
        _letterpress_words "$cur" "env: file:"
      fi
      compopt -o nospace 2>/dev/null
      return 0 ;;
    --format)
      _letterpress_words "$cur" "json jsonl csv tsv"
      return 0 ;;
    --encoding)
      _letterpress_words "$cur" "UTF-8 UTF-16LE UTF-16BE GB18030 GBK Big5
        Shift_JIS CP932 EUC-KR CP949 EUC-JP windows-1252"
      return 0 ;;
    --delimiter)
      _letterpress_words "$cur" ", ; tab"
      return 0 ;;
    --lang)
      _letterpress_words "$cur" "zh-CN zh-TW zh-HK ja ko en en-US en-GB de fr es"
      return 0 ;;
    -j|--jobs)
      _letterpress_words "$cur" "1 2 3 4 6 8"
      return 0 ;;
    --meta)
      _letterpress_words "$cur" "title= author= subject= keywords= lang= paper=
        margin= font= font-size= line-height= header= footer= page-numbering=
        latin-font= heading-font= letterhead= seal= orphans= widows=
        paragraph-spacing= heading-sizes= heading-spacing= list-indent=
        quote-indent= hyphenate= word-break= font-hinting= font-path= attach-data=
        smart-punctuation= header-first= print-urls= seal-size= seal-offset="
      compopt -o nospace 2>/dev/null
      return 0 ;;
    --set|--field|--reason|--location|--name|--contact|--max-*|--sign-field|--sign-reason|--sign-location|--sign-name|--sign-contact|--tsa|--tsa-user|--tsa-retries|--tsa-rate)
      return 0 ;;
  esac

  if [[ $cur == -* ]]; then
    _letterpress_words "$cur" "$opts"
    return 0
  fi
  case $cmd in
    render|merge|fields) _letterpress_files "$cur" md markdown ;;
    sign|timestamp) _letterpress_files "$cur" pdf ;;
  esac
  return 0
}

complete -F _letterpress letterpress
