/// The top-level domains a name must end in to be taken as a domain. A name is a domain only
/// when its TLD is real, which is what keeps `config.yaml`, `System.Text` and `v2.10` out.
/// The list is curated rather than IANA's full 1,400: every country code, the legacy generic
/// ones, and the new generic ones seen in traffic and abuse reports. Brand TLDs (`.google`,
/// `.android`) are left out on purpose: in logs `com.google.android` is a package, not a host.
enum TopLevelDomains {
    /// All 248 two-letter country codes delegated by IANA.
    static let countryCodes = """
        ac ad ae af ag ai al am ao aq ar as at au aw ax az ba bb bd be bf bg bh bi bj bm bn bo br bs bt \
        bv bw by bz ca cc cd cf cg ch ci ck cl cm cn co cr cu cv cw cx cy cz de dj dk dm do dz ec ee eg \
        er es et eu fi fj fk fm fo fr ga gb gd ge gf gg gh gi gl gm gn gp gq gr gs gt gu gw gy hk hm hn \
        hr ht hu id ie il im in io iq ir is it je jm jo jp ke kg kh ki km kn kp kr kw ky kz la lb lc li \
        lk lr ls lt lu lv ly ma mc md me mg mh mk ml mm mn mo mp mq mr ms mt mu mv mw mx my mz na nc ne \
        nf ng ni nl no np nr nu nz om pa pe pf pg ph pk pl pm pn pr ps pt pw py qa re ro rs ru rw sa sb \
        sc sd se sg sh si sj sk sl sm sn so sr ss st su sv sx sy sz tc td tf tg th tj tk tl tm tn to tr \
        tt tv tw tz ua ug uk us uy uz va vc ve vg vi vn vu wf ws ye yt za zm zw
        """

    static let generic = """
        com net org edu gov mil int info biz name pro aero coop museum mobi asia tel travel jobs cat post xxx \
        app dev cloud online xyz top site club shop tech store website space live life world today news blog \
        digital network email link click win bid loan download review reviews stream racing date faith party \
        science trade work men cricket accountant gdn icu buzz rest fun host hosting press cyou monster sbs cfd \
        lol quest bond beauty hair skin makeup autos boats homes yachts mom pics best vip ltd llc inc group \
        company solutions services support systems center agency media studio design art one zip mov page new \
        tools zone guru expert rocks social events exchange finance capital money cash bank insurance tax \
        direct express fit fyi games gold golf health help house ink kim land lat legal love market marketing \
        mba ooo photo pink plus red rip run sale school show software style team tips tube uno vin vision wiki \
        works wtf xin yoga ovh bar bio cam casa cool dating city country family global academy africa nyc \
        paris london berlin tokyo moscow kiwi foo bet poker casino porn sex adult webcam business consulting \
        domains surf wang ren onion
        """

    /// Real TLDs that free text uses far more often for something else: field and property
    /// names (`user.email`, `host.name`, `element.style`, `item.date`), placeholders (`foo.bar`).
    /// A bare `x.name` in a message is not taken as a domain; in a URL, an email address or a
    /// field that says it holds a domain, these TLDs count like any other.
    static let shyInText = """
        name email group family city country host run new show help page foo bar date style
        """

    /// `.id` is Indonesia, and also every `event.id` and `user.id`: in free text only
    /// registrations under Indonesia's second-level names count.
    static let indonesianSecondLevel = "co go ac or web my sch biz net mil desa ponpes"

    static let all: Set<UInt64> = WordKey.set(countryCodes + " " + generic)
    static let shy: Set<UInt64> = WordKey.set(shyInText)
    static let indonesia: Set<UInt64> = WordKey.set(indonesianSecondLevel)
    /// `!` stays: "id" is a constant two-letter word, which `WordKey.of` always keys.
    static let id = WordKey.of("id")!
}
