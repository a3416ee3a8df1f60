// Recognise one ID-card photo with Java 17's HttpClient, no dependencies: java IdcardOcr.java card.jpg
// Needs OCR_URL (e.g. http://127.0.0.1:8000), OCR_APP_ID and OCR_APP_SECRET in the environment.
import java.io.FileOutputStream;
import java.io.FileDescriptor;
import java.io.PrintStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

public class IdcardOcr {
    public static void main(String[] args) throws Exception {
        String appId = System.getenv("OCR_APP_ID");
        String appSecret = System.getenv("OCR_APP_SECRET");
        String timestamp = String.valueOf(System.currentTimeMillis()); // milliseconds since the epoch
        byte[] digest = MessageDigest.getInstance("SHA-256")
                .digest((appId + appSecret + timestamp).getBytes(StandardCharsets.UTF_8));
        String sign = HexFormat.of().formatHex(digest);

        // The photo as base64 in a urlencoded form (simpler than multipart with HttpClient).
        String photo = Base64.getEncoder().encodeToString(Files.readAllBytes(Path.of(args[0])));
        String form = "appId=" + encode(appId) + "&timestamp=" + timestamp + "&sign=" + sign
                + "&base64=" + encode(photo);
        HttpRequest request = HttpRequest.newBuilder(URI.create(System.getenv("OCR_URL") + "/ocr/idcard-v1"))
                .timeout(Duration.ofSeconds(30))
                .header("Content-Type", "application/x-www-form-urlencoded; charset=UTF-8")
                .POST(HttpRequest.BodyPublishers.ofString(form))
                .build();
        HttpResponse<String> response = HttpClient.newHttpClient()
                .send(request, HttpResponse.BodyHandlers.ofString(StandardCharsets.UTF_8));
        // HTTP 200 for every outcome: read "code".
        Map<?, ?> answer = (Map<?, ?>) new Json(response.body()).value();

        PrintStream out = new PrintStream(new FileOutputStream(FileDescriptor.out), true, StandardCharsets.UTF_8);
        int code = ((Number) answer.get("code")).intValue();
        out.println("code: " + code);
        out.println("msg: " + answer.get("msg"));
        if (code != 200) System.exit(1);
        Map<?, ?> data = (Map<?, ?>) answer.get("data");
        out.println("side: " + data.get("side"));
        ((Map<?, ?>) data.get("info")).forEach((key, value) -> out.println("info." + key + ": " + value));
        ((Map<?, ?>) data.get("validity")).forEach((key, valid) -> out.println("validity." + key + ": " + valid));
    }

    static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }

    /** A minimal JSON reader (objects keep their order), enough for the service's answers. */
    static final class Json {
        private final String text;
        private int at;

        Json(String text) {
            this.text = text;
        }

        Object value() {
            skipSpace();
            char c = text.charAt(at);
            if (c == '{') return object();
            if (c == '[') return array();
            if (c == '"') return string();
            if (text.startsWith("true", at)) { at += 4; return true; }
            if (text.startsWith("false", at)) { at += 5; return false; }
            if (text.startsWith("null", at)) { at += 4; return null; }
            int start = at;
            while (at < text.length() && "+-0123456789.eE".indexOf(text.charAt(at)) >= 0) at++;
            return Double.parseDouble(text.substring(start, at));
        }

        private Map<String, Object> object() {
            Map<String, Object> map = new LinkedHashMap<>();
            at++; // {
            skipSpace();
            if (text.charAt(at) == '}') { at++; return map; }
            while (true) {
                skipSpace();
                String key = string();
                skipSpace();
                at++; // :
                map.put(key, value());
                skipSpace();
                if (text.charAt(at++) == '}') return map; // otherwise a comma
            }
        }

        private List<Object> array() {
            List<Object> list = new ArrayList<>();
            at++; // [
            skipSpace();
            if (text.charAt(at) == ']') { at++; return list; }
            while (true) {
                list.add(value());
                skipSpace();
                if (text.charAt(at++) == ']') return list; // otherwise a comma
            }
        }

        private String string() {
            StringBuilder s = new StringBuilder();
            at++; // opening quote
            while (true) {
                char c = text.charAt(at++);
                if (c == '"') return s.toString();
                if (c != '\\') { s.append(c); continue; }
                char e = text.charAt(at++);
                switch (e) {
                    case 'n' -> s.append('\n');
                    case 't' -> s.append('\t');
                    case 'r' -> s.append('\r');
                    case 'b' -> s.append('\b');
                    case 'f' -> s.append('\f');
                    case 'u' -> { s.append((char) Integer.parseInt(text.substring(at, at + 4), 16)); at += 4; }
                    default -> s.append(e); // \" \\ \/
                }
            }
        }

        private void skipSpace() {
            while (at < text.length() && Character.isWhitespace(text.charAt(at))) at++;
        }
    }
}
