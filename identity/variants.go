package identity

// kanjiVariants is the table of old and new kanji forms (旧字体・異体字 →
// 新字体・通用字体) that matching treats as the same character. Both the
// certificate's value and the form's value are folded through it, so either
// side may hold either form.
//
// Rules of the table, checked by TestKanjiVariantTable:
//   - every character, old and new, is NFKC-stable (compatibility
//     ideographs such as U+FA10 塚 are NFKC's business, not the table's;
//     U+FA11 﨑 is a unified ideograph that NFKC leaves alone, so it is here);
//   - no new form is itself an old form (folding once is enough);
//   - each old form appears once.
//
// Deliberately not merged: 斎 and 斉 (齋藤 and 齊藤 are different surnames,
// so 齋 folds to 斎 and 齊 to 斉); 辻 with one or two dots (the same code
// point, a font difference); pairs whose use as variants is disputed (籠
// and 篭).
// Substitute characters (代替文字) are not handled by this table but by the
// certificate's flags.
var kanjiVariants = []struct {
	old, new rune
	example  string
}{
	// old  new  example
	{'髙', '高', "はしご高: 髙橋, 髙田"},
	{'﨑', '崎', "たつ崎 U+FA11: 山﨑, 宮﨑"},
	{'嵜', '崎', "山嵜"},
	{'邊', '辺', "渡邊"},
	{'邉', '辺', "渡邉"},
	{'齋', '斎', "齋藤"},
	{'齊', '斉', "齊藤"},
	{'濵', '浜', "濵田"},
	{'濱', '浜', "濱田, 横濱"},
	{'廣', '広', "廣田, 廣島"},
	{'澤', '沢', "小澤, 澤田"},
	{'國', '国', "國分"},
	{'櫻', '桜', "櫻井"},
	{'龍', '竜', "龍ケ崎市, 龍之介"},
	{'眞', '真', "眞理子"},
	{'德', '徳', "德永"},
	{'惠', '恵', "惠子"},
	{'𠮷', '吉', "つちよし U+20BB7: 𠮷田"},
	{'壽', '寿', "壽子"},
	{'榮', '栄', "榮一"},
	{'藏', '蔵', "大藏"},
	{'條', '条', "北條"},
	{'兒', '児', "兒玉"},
	{'圓', '円', "圓谷"},
	{'實', '実', "實"},
	{'學', '学', "學"},
	{'會', '会', "會田"},
	{'鐵', '鉄', "鐵雄"},
	{'縣', '県', "縣"},
	{'亞', '亜', "亞希子"},
	{'淺', '浅', "淺野"},
	{'黑', '黒', "黑田"},
	{'萬', '万', "萬田"},
	{'豐', '豊', "豐田"},
	{'禮', '礼', "禮子"},
	{'彌', '弥', "彌生"},
	{'來', '来', "來栖"},
	{'戶', '戸', "神戶"},
	{'增', '増', "增田"},
	{'穗', '穂', "美穗"},
	{'淸', '清', "淸水"},
	{'靜', '静', "靜岡"},
	{'靑', '青', "靑木"},
	{'瀨', '瀬', "瀨戸"},
	{'鷗', '鴎', "森鷗外"},
	{'嶋', '島', "中嶋"},
	{'嶌', '島', "大嶌"},
	{'冨', '富', "冨田"},
	{'舘', '館', "舘野"},
	{'峯', '峰', "峯岸"},
	{'桒', '桑', "桒原"},
	{'槇', '槙', "槇原"},
	{'曾', '曽', "曾我"},
	{'團', '団', "團"},
	{'傳', '伝', "傳"},
	{'濟', '済', "濟"},
	{'兩', '両', "兩"},
	{'滿', '満', "滿"},
	{'驛', '駅', "驛前"},
	{'與', '与', "與田"},
	{'譽', '誉', "譽"},
	{'檜', '桧', "檜山"},
	{'驒', '騨', "飛驒市"},
	{'廳', '庁', "廳"},
}

var kanjiVariantMap = func() map[rune]rune {
	m := make(map[rune]rune, len(kanjiVariants))
	for _, v := range kanjiVariants {
		m[v.old] = v.new
	}
	return m
}()
