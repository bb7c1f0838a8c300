"""The demo's self-review texts: each member writes in their own words, from the stock phrases
every cell shares (a phrase bank with variation); a few copy a fellow member's text with light
edits, and a few write no weakness at all, so that `xeploai integrity` and its page find what
offices find by reading thousands of forms."""

from __future__ import annotations

import dataclasses
import random
from collections.abc import Iterable, Mapping, Sequence

STRENGTHS = (
    "{often} chấp hành chủ trương, đường lối của Đảng, chính sách, pháp luật của Nhà nước{where}",
    "Hoàn thành {how} các nhiệm vụ được giao tại {place}, {result}",
    "Tham gia đầy đủ các buổi sinh hoạt chi bộ, {often} đóng góp ý kiến về {field}",
    "Giữ gìn phẩm chất đạo đức, lối sống {manner}, gương mẫu {among}",
    "Có ý thức học tập nâng cao trình độ {subject} để {aim}",
    "Đóng đảng phí đầy đủ, đúng quy định; {often} tham gia phong trào {field}",
    "Phối hợp với {place} vận động nhân dân thực hiện {field}{where}",
    "Trong công tác chuyên môn đã {initiative}, {result}",
    "Quan hệ với đồng chí, đồng nghiệp {manner}, {often} giúp đỡ lẫn nhau {among}",
    "{often} tự phê bình và phê bình, tiếp thu góp ý của tập thể về {field}",
    "Tham gia lớp bồi dưỡng {subject} do {place} tổ chức, kết quả đạt loại {grade}",
    "Kết quả công việc năm qua đạt {percent} phần trăm kế hoạch, {result}",
    "Làm tốt công tác tuyên truyền {field} đến từng hộ gia đình {among}",
    "Đã {initiative}, được {place} ghi nhận",
    "Thực hiện nghiêm những điều đảng viên không được làm, {often} giữ mối liên hệ {among}",
)
WEAKNESSES = (
    "Có lúc chưa mạnh dạn phê bình khi thấy {peer} làm chưa đúng, {cause}",
    "Việc {task} có lúc còn chậm so với yêu cầu, {cause}",
    "Việc học tập {subject} chưa thường xuyên, nhất là {season}",
    "Chưa dành nhiều thời gian nắm bắt tình hình {among}, {cause}",
    "Có thời điểm {task} chưa kịp thời, để {boss} phải nhắc nhở {count} lần",
    "Tham gia sinh hoạt ở {place} chưa đều, vắng {count} buổi {when}",
    "Việc ứng dụng {subject} trong {task} chưa cao, {cause}",
    "Phối hợp với {place} trong {field} có lúc chưa chặt chẽ, {cause}",
    "Việc theo dõi {task} còn để sót {count} trường hợp, {boss} đã chỉ ra",
    "Chưa chủ động đề xuất cách làm mới trong {field}, {cause}",
    "Đôi khi còn nóng vội khi giải quyết {task}, {cause}",
    "Việc giữ mối liên hệ với {place} chưa thường xuyên {when}",
)
PLANS = (
    "Tiếp tục học tập {subject} để {aim}, phấn đấu hoàn thành {how} nhiệm vụ năm tới",
    "Khắc phục hạn chế về {task}, {remedy}",
    "Mạnh dạn hơn trong tự phê bình và phê bình {when}, giữ mối liên hệ chặt chẽ {among}",
    "Chủ động phối hợp với {place} thực hiện tốt {field}",
    "Tham gia đầy đủ sinh hoạt ở {place}, {remedy} để làm tốt {field}",
    "Trong năm tới {remedy}, nhất là {season}",
    "Đề xuất với {boss} {initiative}",
    "Dành thời gian {remedy} để {aim}",
)
RESPONSIBILITIES = (
    "Là {role}, bản thân có phần trách nhiệm về việc {field} của chi bộ còn chậm",
    "Bản thân chưa đóng góp nhiều ý kiến để chi bộ khắc phục hạn chế về {field}",
    "Có trách nhiệm trong việc {task} của chi bộ chưa kịp thời, {cause}",
    "Với cương vị {role}, tôi nhận trách nhiệm về hạn chế trong {field} của tập thể",
)
WORDS: Mapping[str, Sequence[str]] = {
    "often": ("Thường xuyên", "Luôn", "Nghiêm túc", "Tích cực", "Chủ động", "Tự giác", "Kiên trì"),
    "where": (
        "",
        " trong mọi hoàn cảnh",
        " ở cơ quan cũng như nơi cư trú",
        " trong suốt năm qua",
        " kể cả khi công việc bận rộn",
    ),
    "how": ("tốt", "xuất sắc", "cơ bản", "đúng hạn", "có chất lượng", "đầy đủ"),
    "place": (
        "phòng Nội vụ",
        "ủy ban nhân dân xã",
        "trường tiểu học",
        "trạm y tế xã",
        "hợp tác xã nông nghiệp",
        "hội nông dân xã",
        "đoàn thanh niên",
        "bộ phận một cửa",
        "ban công tác mặt trận thôn",
        "hội cựu chiến binh",
        "chi hội phụ nữ",
    ),
    "result": (
        "bảo đảm tiến độ và chất lượng",
        "vượt kế hoạch đề ra",
        "được lãnh đạo đánh giá cao",
        "không để tồn đọng hồ sơ",
        "góp phần vào kết quả chung của đơn vị",
        "đúng thời gian quy định",
    ),
    "field": (
        "xây dựng nông thôn mới",
        "đô thị văn minh",
        "chuyển đổi số",
        "cải cách hành chính",
        "bảo vệ môi trường",
        "an ninh trật tự",
        "khuyến học",
        "đền ơn đáp nghĩa",
        "giảm nghèo bền vững",
        "an toàn giao thông",
        "dồn điền đổi thửa",
    ),
    "manner": ("giản dị", "lành mạnh", "trong sáng", "khiêm tốn", "chan hòa", "cầu thị"),
    "among": (
        "nơi công tác và nơi cư trú",
        "trong gia đình và ngoài xã hội",
        "với nhân dân",
        "ở khu dân cư",
        "trước quần chúng",
    ),
    "subject": (
        "lý luận chính trị",
        "chuyên môn nghiệp vụ",
        "tin học",
        "ngoại ngữ",
        "quản lý nhà nước",
        "kỹ năng số",
        "pháp luật",
    ),
    "aim": (
        "đáp ứng yêu cầu nhiệm vụ",
        "làm tốt công việc được giao",
        "phục vụ nhân dân tốt hơn",
        "hoàn thành nhiệm vụ trong tình hình mới",
    ),
    "initiative": (
        "đề xuất giải pháp rút ngắn thời gian giải quyết hồ sơ",
        "đưa ra sáng kiến tiết kiệm chi phí văn phòng phẩm",
        "xây dựng quy trình tiếp nhận hồ sơ trực tuyến",
        "lập kế hoạch kiểm tra định kỳ các hộ kinh doanh",
        "rà soát lại danh sách hộ nghèo, hộ cận nghèo",
        "tổ chức hội nghị đối thoại với nhân dân",
        "cập nhật phần mềm quản lý văn bản",
    ),
    "grade": ("khá", "giỏi", "xuất sắc"),
    "percent": tuple(str(n) for n in range(92, 121)),
    "task": (
        "nộp báo cáo tháng",
        "cập nhật sổ sách",
        "trả lời đơn thư của công dân",
        "thu đảng phí của tổ",
        "hoàn thiện hồ sơ lưu trữ",
        "thống kê hộ nghèo",
        "kiểm tra an toàn thực phẩm",
        "cấp giấy chứng nhận quyền sử dụng đất",
        "quyết toán kinh phí",
        "theo dõi tiêm chủng",
        "cập nhật dữ liệu dân cư",
        "xử lý văn bản đến",
        "hòa giải ở cơ sở",
        "thu thuế hộ kinh doanh",
    ),
    "count": ("hai", "ba", "một vài", "bốn", "năm"),
    "peer": ("đồng chí, đồng nghiệp", "cán bộ trong tổ", "người thân", "đảng viên trong chi bộ"),
    "cause": (
        "nguyên nhân là bản thân còn nể nang",
        "do chưa sắp xếp thời gian hợp lý",
        "do công việc chuyên môn nhiều",
        "nguyên nhân chủ quan là chưa quyết liệt",
        "do tuổi cao, sức khỏe hạn chế",
        "nguyên nhân do địa bàn rộng, đi lại khó khăn",
        "do chưa nắm chắc quy định mới",
        "do thiếu kinh nghiệm",
        "một phần do phải kiêm nhiệm nhiều việc",
        "do chưa chủ động báo cáo xin ý kiến",
        "do việc gia đình",
        "do chưa quen phần mềm mới",
        "do chưa tranh thủ được sự phối hợp",
        "nguyên nhân khách quan là thời tiết bất lợi",
    ),
    "when": (
        "trong những tháng cao điểm",
        "vào mùa vụ",
        "trong quý cuối năm",
        "khi đi công tác xa",
        "trong thời gian tập huấn",
        "",
    ),
    "season": (
        "trong những tháng cao điểm",
        "vào mùa vụ",
        "trong quý cuối năm",
        "khi đi công tác xa",
        "trong thời gian tập huấn",
        "khi có việc đột xuất",
    ),
    "boss": ("lãnh đạo phòng", "bí thư chi bộ", "chủ tịch xã", "trưởng thôn", "cấp trên"),
    "remedy": (
        "sắp xếp công việc khoa học hơn",
        "lập sổ theo dõi từng việc",
        "đặt lịch nhắc việc hằng tuần",
        "xin ý kiến cấp trên sớm hơn",
        "tăng cường đi cơ sở",
    ),
    "role": ("chi ủy viên", "tổ trưởng tổ đảng", "đảng viên phụ trách khu dân cư", "phó bí thư"),
}
COPY_SHARE = 0.03  # members who copy a fellow member's text, lightly edited
OWN_COPY_SHARE = 0.02  # members who hand in their own text of last year again, lightly edited
EMPTY_SHARE = 0.03  # members who write no weakness
EMPTY = ("Không có.", "Chưa có.", "Không có hạn chế, khuyết điểm.")


def own(rng: random.Random) -> dict[str, str]:
    """A self-review in one's own words."""
    return {
        "strengths": _paragraph(rng, STRENGTHS, rng.randint(4, 6)),
        "weaknesses": _paragraph(rng, WEAKNESSES, rng.randint(2, 3)),
        "plan": _paragraph(rng, PLANS, rng.randint(2, 4)),
        "collective_responsibility": _paragraph(rng, RESPONSIBILITIES, 1),
    }


@dataclasses.dataclass
class Written:
    """What the members of a cycle wrote: their sections by code, and what was planted."""

    sections: dict[str, dict[str, str]] = dataclasses.field(default_factory=dict)
    copied: dict[str, str] = dataclasses.field(default_factory=dict)  # code → whose it copies
    empty: set[str] = dataclasses.field(default_factory=set)  # codes with no weakness
    again: set[str] = dataclasses.field(default_factory=set)  # codes copying their `earlier`


def for_members(
    groups: Iterable[Sequence[str]], year: int, seed: int, earlier: Written | None = None
) -> Written:
    """The sections of each member, by code, for members grouped by grassroots unit: most in
    their own words; `COPY_SHARE` of them a light edit of an earlier member's of their group;
    `EMPTY_SHARE` of them with no weakness; given what they wrote `earlier`, `OWN_COPY_SHARE`
    of them a light edit of it."""
    written = Written()
    for group in groups:
        for n, code in enumerate(group):
            rng = random.Random(f"{seed}:{year}:{code}")
            roll = rng.random()
            own_again = 1 - EMPTY_SHARE - OWN_COPY_SHARE < roll <= 1 - EMPTY_SHARE
            if earlier is not None and code in earlier.sections and own_again:
                written.sections[code] = {
                    k: edited(v, rng) for k, v in earlier.sections[code].items()
                }
                written.again.add(code)
                continue
            if n and roll < COPY_SHARE:
                source = group[rng.randrange(n)]
                written.copied[code] = source
                written.sections[code] = {
                    k: edited(v, rng) for k, v in written.sections[source].items()
                }
                continue
            written.sections[code] = own(rng)
            if roll > 1 - EMPTY_SHARE:
                written.sections[code]["weaknesses"] = rng.choice(EMPTY)
                written.empty.add(code)
    return written


def edited(text: str, rng: random.Random) -> str:
    """What someone copying a text changes: the order of two sentences, a few words."""
    sentences = [s for s in text.rstrip(".").split(". ") if s]
    if len(sentences) > 2:
        i = rng.randrange(len(sentences) - 1)
        sentences[i], sentences[i + 1] = sentences[i + 1], sentences[i]
    if sentences and rng.random() < 0.5:
        sentences[0] = sentences[0] + " một cách nghiêm túc"
    return ". ".join(sentences) + "."


CONNECTORS = ("", "", "Bên cạnh đó, ", "Ngoài ra, ", "Trong năm, ", "Mặt khác, ", "Đồng thời, ")


def _paragraph(rng: random.Random, bank: Sequence[str], size: int) -> str:
    chosen = rng.sample(bank, min(size, len(bank)))
    said = []
    for n, template in enumerate(chosen):
        sentence = template.format(**{k: rng.choice(v) for k, v in WORDS.items()})
        sentence = " ".join(sentence.split()).rstrip(",")
        connector = rng.choice(CONNECTORS) if n else ""
        if connector:
            sentence = connector + sentence[0].lower() + sentence[1:]
        said.append(sentence[0].upper() + sentence[1:])
    return ". ".join(said) + "."
